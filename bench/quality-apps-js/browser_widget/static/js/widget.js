/* Support widget: reads its state from the page address and talks to the help desk. */
(function () {
  'use strict';

  var params = new URLSearchParams(location.search);
  var hash = decodeURIComponent(location.hash.slice(1));
  var app = document.getElementById('app');

  // vuln: xss
  showBanner(params.get('notice'));
  // safe: xss
  showBannerSafely(params.get('notice'));

  // vuln: xss
  document.write('<link rel="stylesheet" href="/themes/' + params.get('theme') + '.css">');

  // vuln: xss
  app.innerHTML = '<h2>Topic: ' + hash + '</h2>';

  var topic = document.createElement('h2');
  // safe: xss
  topic.innerText = 'Topic: ' + hash;
  app.appendChild(topic);

  var list = document.createElement('ul');
  app.appendChild(list);
  // vuln: xss
  appendMessage(list, params.get('agent'), params.get('greeting'));
  // safe: xss
  appendMessageSafely(list, params.get('agent'), params.get('greeting'));

  // vuln: xss
  renderLink(app, params.get('help'), 'Help centre');

  var draft = WidgetStorage.loadDraft();
  var editor = document.createElement('div');
  editor.contentEditable = 'true';
  // vuln: xss
  editor.innerHTML = draft;
  app.appendChild(editor);

  var returnTo = params.get('return');
  if (returnTo) {
    // vuln: redirect
    setTimeout(function () { location.href = returnTo; }, 3000);
  }

  var after = params.get('after');
  if (after && /^\/[a-z0-9/_-]*$/i.test(after)) {
    // safe: redirect
    location.assign(after);
  }

  var script = params.get('plugin');
  if (script) {
    // vuln: code-injection
    setTimeout(script, 0);
  }

  var onReady = params.get('onready');
  if (onReady) {
    // vuln: code-injection
    new Function(onReady)();
  }

  // vuln: redos
  var emailPattern = /^([a-zA-Z0-9_.-]+)+@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$/;
  var emailInput = document.getElementById('email');
  emailInput.addEventListener('input', function () {
    emailInput.classList.toggle('invalid', !emailPattern.test(emailInput.value));
  });

  var filter = params.get('filter');
  if (filter) {
    // vuln: redos
    var re = new RegExp(filter);
    Array.from(list.children).forEach(function (li) { li.hidden = !re.test(li.textContent); });
  }

  function loadArticle(slug) {
    // safe: ssrf
    return fetch('/api/articles/' + encodeURIComponent(slug)).then(function (r) { return r.json(); });
  }

  loadArticle(params.get('article') || 'welcome').then(function (article) {
    var body = document.createElement('article');
    // vuln: xss
    body.innerHTML = article.html;
    app.appendChild(body);
  });

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (data.type === 'prefill') {
      // vuln: postmessage
      document.getElementById('name').value = data.name;
    }
    if (data.type === 'html') {
      // vuln: postmessage, xss
      app.innerHTML = data.html;
    }
  });

  window.addEventListener('message', function (event) {
    if (event.origin !== 'https://help.example.com') return;
    // safe: postmessage
    document.getElementById('status').textContent = event.data.status;
  });

  window.onmessage = function (e) {
    // vuln: postmessage, code-injection
    eval(e.data.callback);
  };

  var state = {};
  params.forEach(function (value, key) {
    var parts = key.split('.');
    var target = state;
    for (var i = 0; i < parts.length - 1; i++) {
      target = target[parts[i]] = target[parts[i]] || {};
    }
    // vuln: prototype-pollution
    target[parts[parts.length - 1]] = value;
  });
})();

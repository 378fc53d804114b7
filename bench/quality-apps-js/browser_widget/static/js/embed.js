/* Embed script: the host page and the widget iframe talk through postMessage. */
(function () {
  'use strict';

  var frame = document.getElementById('widget-frame');
  var WIDGET_ORIGIN = 'https://widget.example.com';

  function sendToken(token) {
    // vuln: postmessage
    frame.contentWindow.postMessage({ type: 'token', token: token }, '*');
  }

  function sendTokenSafely(token) {
    // safe: postmessage
    frame.contentWindow.postMessage({ type: 'token', token: token }, WIDGET_ORIGIN);
  }

  window.addEventListener('message', function (event) {
    if (event.origin.indexOf('example.com') === -1) return;
    if (event.data && event.data.redirect) {
      // vuln: postmessage, redirect
      window.location = event.data.redirect;
    }
  });

  window.addEventListener('message', function (event) {
    if (event.origin !== WIDGET_ORIGIN) return;
    if (event.data.type === 'resize') {
      // safe: postmessage
      frame.style.height = Number(event.data.height) + 'px';
    }
  });

  var referrerName = new URLSearchParams(location.search).get('ref');
  if (referrerName) {
    var badge = document.createElement('span');
    // safe: xss
    badge.setAttribute('title', referrerName);
    document.body.appendChild(badge);
  }

  fetch('/api/embed/token', { credentials: 'include' })
    .then(function (r) { return r.json(); })
    .then(function (j) {
      sendToken(j.token);
      sendTokenSafely(j.token);
    })
    .catch(function (err) {
      // vuln: error-exposure
      document.getElementById('widget-error').innerHTML = 'Widget failed: ' + err.stack;
    });
})();

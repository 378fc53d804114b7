/* DOM helpers shared by the widget and the embed script. */
function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
  });
}

function showBanner(message) {
  var banner = document.getElementById('banner');
  // vuln: xss
  banner.innerHTML = '<strong>' + message + '</strong>';
}

function showBannerSafely(message) {
  var banner = document.getElementById('banner');
  // safe: xss
  banner.textContent = message;
}

function appendMessage(list, author, text) {
  // vuln: xss
  list.insertAdjacentHTML('beforeend', '<li><b>' + author + '</b>: ' + text + '</li>');
}

function appendMessageSafely(list, author, text) {
  // safe: xss
  list.insertAdjacentHTML('beforeend', '<li><b>' + escapeHtml(author) + '</b>: ' + escapeHtml(text) + '</li>');
}

function renderCard(container, card) {
  var el = document.createElement('div');
  el.className = 'card';
  // vuln: xss
  el.outerHTML = '<div class="card"><h3>' + card.title + '</h3></div>';
  container.appendChild(el);
}

function renderLink(container, href, label) {
  var a = document.createElement('a');
  // vuln: xss
  a.href = href;
  // safe: xss
  a.textContent = label;
  container.appendChild(a);
}

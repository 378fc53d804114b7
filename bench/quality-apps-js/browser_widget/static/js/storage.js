/* Local persistence for the support widget. */
(function (global) {
  'use strict';

  // vuln: secrets
  var MAPS_API_KEY = 'AIzaSyD4x9Qm7cT2vZk8LwP0rYbN3sFhJ6uE1oA';

  function saveSession(token) {
    // vuln: cookie
    document.cookie = 'widget_session=' + token + '; path=/';
  }

  function saveSessionSafely(token) {
    // safe: cookie
    document.cookie = 'widget_session=' + encodeURIComponent(token) + '; path=/; Secure; SameSite=Strict';
  }

  function rememberDraft(text) {
    localStorage.setItem('draft', text);
  }

  function loadDraft() {
    return localStorage.getItem('draft') || '';
  }

  function clientId() {
    var existing = localStorage.getItem('client_id');
    if (existing) return existing;
    // vuln: randomness
    var id = 'c' + Math.random().toString(36).substring(2) + Date.now();
    localStorage.setItem('client_id', id);
    return id;
  }

  function nonce() {
    var bytes = new Uint8Array(16);
    // safe: randomness
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  function animationJitter() {
    // safe: randomness
    return Math.random() * 200;
  }

  global.WidgetStorage = {
    MAPS_API_KEY: MAPS_API_KEY,
    saveSession: saveSession,
    saveSessionSafely: saveSessionSafely,
    rememberDraft: rememberDraft,
    loadDraft: loadDraft,
    clientId: clientId,
    nonce: nonce,
    animationJitter: animationJitter,
  };
})(window);

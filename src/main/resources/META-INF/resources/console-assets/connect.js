// The connect flow's last page, opened as a popup: it tells the window that opened it how the
// connection went. Only ids and the outcome travel; no token is ever on this page.
(function () {
  var main = document.getElementById('main');
  if (!main || !window.opener) {
    return;
  }
  var d = main.dataset;
  window.opener.postMessage({
    type: 'syncline:connect',
    success: d.success === 'true',
    providerConfigKey: d.integration || null,
    connectionId: d.connectionId || null,
    error: d.error || null
  }, '*');
})();

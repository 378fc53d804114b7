export function notePage(note, highlight) {
  return `<!doctype html>
<html><body>
<h1>${escapeHtml(note.title)}</h1>
<p class="hl">${highlight}</p>
<div>${escapeHtml(note.body)}</div>
</body></html>`;
}

export function escapeHtml(s) {
  return String(s)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

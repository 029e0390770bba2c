/** Download what a URL points at (an object URL of an image fetched with the token). */
export function downloadUrl(name: string, url: string): void {
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Save text or a blob as a file through the browser's download. */
export function download(name: string, content: string | Blob, type = "application/json"): void {
  const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  downloadUrl(name, url);
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The dialog pages' only UI: one line of text.
export function showPageMessage(text: string): void {
  const target = document.getElementById('message') ?? document.body;
  target.textContent = text;
}

// A one-line text progress bar for io.progress (shown on a TTY only).
export function progressBar(label: string, done: number, total: number, widthChars = 28): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * widthChars);
  return `${label} [${"#".repeat(filled)}${"-".repeat(widthChars - filled)}] ${done}/${total}`;
}

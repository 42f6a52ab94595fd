/**
 * Escapes text for a GitHub-flavoured Markdown table cell: pipes would split
 * the cell, newlines would end the row, and HTML could hide content.
 */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, ' ');
}

/** A Markdown table with escaped cells. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A collapsed `<details>` section. */
export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A link when there is a URL, plain text otherwise. */
export function link(text: string, url: string | null | undefined): string {
  return url ? `[${text}](${url})` : text;
}

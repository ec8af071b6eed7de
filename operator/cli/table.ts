// Plain-text tables in kubectl's style: upper-case headers, columns padded with three spaces, no borders.

/** Renders rows under headers; empty cells show as "-" so columns never collapse. */
export function renderTable(headers: readonly string[], rows: readonly (readonly (string | undefined)[])[]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => headers.map((_, i) => clean(r[i])))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

/** Two-column "Label:  value" block for the detail view. */
export function renderFields(fields: readonly (readonly [string, string | undefined])[]): string {
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${clean(value)}`).join('\n');
}

// One line per cell: condition messages and failure reasons may carry newlines.
function clean(value: string | undefined): string {
  const text = (value ?? '').replace(/\s+/g, ' ').trim();
  return text === '' ? '-' : text;
}

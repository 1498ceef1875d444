export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function printResults(title: string, results: BenchResult[]): void {
  console.log(`\n## ${title}`);
  for (const r of results) {
    const v = r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(2);
    console.log(`  ${r.name.padEnd(58)} ${v.padStart(12)} ${r.unit}${r.note ? `   (${r.note})` : ''}`);
  }
}

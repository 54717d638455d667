// The ECS administration manual's hardware assessment (Requirements: "Cores, Memory, Harddisk &
// Backup Space Assessment") for N studies per month over ten years. All units are 1024-based.
// The manual's research data: an EC with ~100 studies a month used 100684328 KB of documents and
// 4 GB of database in 59 months; its tables scale that to 20, 40, 100 and 250 studies a month.

export const YEARS = 10;
const MONTHS = YEARS * 12;
const KB_PER_GB = 1024 * 1024;

/** Document storage per study, from the research data: 100684328 KB / 59 months / 100 studies. */
export const DOCUMENT_KB_PER_STUDY = 100684328 / 59 / 100;
/** System 5 GB + temporary workspace (the tables use 50 GB for base & temp). */
export const BASE_TEMP_GB = 50;
/** Sustainable limit the manual states. */
export const MAX_STUDIES = 250;

export interface Sizing {
  studiesPerMonth: number;
  years: number;
  cores: number;
  memoryGB: number;
  baseTempGB: number;
  databaseGB: number;
  documentsGB: number;
  diskGB: number;
  backupGB: number;
  notes: string[];
}

/** Cores by the manual's tables: 20 -> 2, 40 -> 4, 100 -> 6, 250 -> 8 (a tier covers up to its number). */
export function coresFor(studies: number): number {
  if (studies <= 20) return 2;
  if (studies <= 40) return 4;
  if (studies <= 100) return 6;
  return 8;
}

const round = (x: number, step: number): number => Number((Math.round(x / step) * step).toFixed(6));

export function sizing(studiesPerMonth: number): Sizing {
  const n = studiesPerMonth;
  const cores = coresFor(n);
  // Database: (studies per month / 12.5) GB after ten years.
  const databaseGB = n / 12.5;
  // Document storage: the research rate per study for 120 months.
  const documentsGB = (DOCUMENT_KB_PER_STUDY * n * MONTHS) / KB_PER_GB;
  const diskGB = BASE_TEMP_GB + databaseGB + documentsGB;
  // Backup: 2 full backups of the documents + 2 months of delta growth + the database/system share,
  // which the manual's worked example puts at 50 GB for 100 studies (its tables scale it linearly).
  const backupGB = 2 * documentsGB + (2 * documentsGB) / MONTHS + (BASE_TEMP_GB * n) / 100;
  // Memory: 2 GB base + 1 GB per core + the size of the database, at least 4 GB, in 0.5 GB steps up.
  const memoryGB = Math.max(4, Math.ceil((2 + cores + databaseGB) * 2) / 2);
  const notes: string[] = [];
  if (n > MAX_STUDIES)
    notes.push(`the manual states the ecs sustains at most ${MAX_STUDIES} studies per month for ten years`);
  notes.push('add the memory per core if you add cores; with more memory available, add some');
  return {
    studiesPerMonth: n,
    years: YEARS,
    cores,
    memoryGB,
    baseTempGB: BASE_TEMP_GB,
    databaseGB: round(databaseGB, 0.01),
    documentsGB: round(documentsGB, 0.01),
    diskGB: round(diskGB, 0.01),
    backupGB: round(backupGB, 0.01),
    notes,
  };
}

/** The assessment as a small table for people. */
export function formatSizing(s: Sizing): string {
  const gb = (x: number): string => `${x.toFixed(1)} GB`;
  const rows: Array<[string, string]> = [
    ['Base & Temp', gb(s.baseTempGB)],
    ['Database', gb(s.databaseGB)],
    ['Document-Storage', gb(s.documentsGB)],
    ['Disksize', gb(s.diskGB)],
    ['Backup', gb(s.backupGB)],
    ['recommended Cores', String(s.cores)],
    ['recommended Memory', `${gb(s.memoryGB)}+`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return [
    `Assessment for ${s.studiesPerMonth} studies per month after ${s.years} years (1 GB = 1024 MB):`,
    ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`),
    ...s.notes.map((n) => `note: ${n}`),
  ].join('\n');
}

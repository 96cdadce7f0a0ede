/** The BMU of every input spectrum as CSV and as a VOTable (for TOPCAT and other VO tools). */
import { writeVoTable } from '@vocloud/sdk/formats';
import type { SomResult } from '../kernel/index.js';

export interface BmuRows {
  readonly names: readonly string[];
  readonly classes: readonly (string | null)[] | null;
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function bmuCsv(r: SomResult, rows: BmuRows): string {
  const lines = ['index,name,class,bmu,row,col,distance'];
  for (let i = 0; i < r.bmu.length; i++) {
    const u = r.bmu[i]!;
    lines.push([i, csvCell(rows.names[i]!), csvCell(rows.classes?.[i] ?? ''), u, Math.floor(u / r.cols), u % r.cols, r.bmuDistance[i]!.toPrecision(7)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function bmuVoTable(r: SomResult, rows: BmuRows): string {
  const data = function* () {
    for (let i = 0; i < r.bmu.length; i++) {
      const u = r.bmu[i]!;
      yield [i, rows.names[i]!, rows.classes?.[i] ?? null, u, Math.floor(u / r.cols), u % r.cols, r.bmuDistance[i]!];
    }
  };
  return writeVoTable({
    name: 'som_bmu',
    description: `Best-matching unit of every input on a ${r.rows} x ${r.cols} ${r.topology}${r.toroidal ? ' toroidal' : ''} SOM (unit = row * ${r.cols} + col)`,
    fields: [
      { name: 'index', datatype: 'int', ucd: 'meta.number', description: 'Input row' },
      { name: 'name', datatype: 'char', arraysize: '*', ucd: 'meta.id', description: 'Input name' },
      { name: 'class', datatype: 'char', arraysize: '*', ucd: 'meta.code.class', description: 'Given class, if any' },
      { name: 'bmu', datatype: 'int', ucd: 'meta.code', description: 'Best-matching unit' },
      { name: 'row', datatype: 'int', description: 'Map row of the BMU' },
      { name: 'col', datatype: 'int', description: 'Map column of the BMU' },
      { name: 'distance', datatype: 'float', ucd: 'stat.error', description: `${r.distance} distance to the BMU's reference vector` },
    ],
    rows: data(),
  });
}

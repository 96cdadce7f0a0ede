import { allResources, type VoParam, type VoTableDocument } from '@vocloud/sdk/formats';

/** One input parameter of a service descriptor (DataLink 1.0 §4). */
export interface DescriptorInput {
  readonly name: string;
  /** ID of the column whose value this parameter takes, per row. */
  readonly ref?: string | undefined;
  /** A fixed value ('' when the user chooses). */
  readonly value: string;
  readonly datatype: string;
  readonly arraysize?: string | undefined;
  readonly unit?: string | undefined;
  readonly ucd?: string | undefined;
  readonly xtype?: string | undefined;
  readonly description?: string | undefined;
  readonly min?: string | undefined;
  readonly max?: string | undefined;
  readonly options?: readonly string[] | undefined;
}

/** A service descriptor: `RESOURCE type="meta" utype="adhoc:service"`. */
export interface ServiceDescriptor {
  readonly id?: string | undefined;
  readonly standardId: string;
  readonly accessUrl: string;
  readonly inputs: readonly DescriptorInput[];
}

function input(p: VoParam): DescriptorInput {
  return {
    name: p.name,
    ref: p.ref,
    value: p.value ?? '',
    datatype: p.datatype,
    arraysize: p.arraysize,
    unit: p.unit,
    ucd: p.ucd,
    xtype: p.xtype,
    description: p.description,
    min: p.values?.min?.value,
    max: p.values?.max?.value,
    options: p.values?.options?.map((o) => o.value),
  };
}

/** Every service descriptor in a document, in order. */
export function serviceDescriptors(doc: VoTableDocument): ServiceDescriptor[] {
  const out: ServiceDescriptor[] = [];
  for (const r of allResources(doc)) {
    if (r.type !== 'meta' || (r.utype ?? '').toLowerCase() !== 'adhoc:service') continue;
    const param = (name: string) => r.params.find((p) => p.name.toLowerCase() === name.toLowerCase())?.value?.trim() ?? '';
    const accessUrl = param('accessURL');
    if (!accessUrl) continue;
    const inputs: DescriptorInput[] = [];
    for (const g of r.groups) {
      if ((g.name ?? '') !== 'inputParams') continue;
      for (const item of g.items) if (item.kind === 'param') inputs.push(input(item.param));
    }
    out.push({ id: r.id, standardId: param('standardID'), accessUrl, inputs });
  }
  return out;
}

export const isSoda = (d: ServiceDescriptor): boolean => /^ivo:\/\/ivoa\.net\/std\/soda/i.test(d.standardId);
export const isLinksService = (d: ServiceDescriptor): boolean => /^ivo:\/\/ivoa\.net\/std\/datalink/i.test(d.standardId);

/** Descriptors as JSON for previews (the UI builds a cutout form from them). */
export function describeDescriptor(d: ServiceDescriptor): Record<string, unknown> {
  return {
    standardId: d.standardId,
    accessUrl: d.accessUrl,
    inputs: d.inputs.map((i) => ({
      name: i.name,
      ...(i.ref ? { fromColumn: i.ref } : {}),
      ...(i.value ? { value: i.value } : {}),
      datatype: i.datatype,
      ...(i.arraysize ? { arraysize: i.arraysize } : {}),
      ...(i.unit ? { unit: i.unit } : {}),
      ...(i.ucd ? { ucd: i.ucd } : {}),
      ...(i.xtype ? { xtype: i.xtype } : {}),
      ...(i.description ? { description: i.description } : {}),
      ...(i.min !== undefined ? { min: i.min } : {}),
      ...(i.max !== undefined ? { max: i.max } : {}),
      ...(i.options ? { options: i.options } : {}),
    })),
  };
}

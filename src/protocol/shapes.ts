/**
 * A small shape language for the SQS API model: enough to decode both wire protocols into the
 * same input objects and to encode outputs as JSON or XML. `q` is the member's flattened name in
 * the query protocol where it differs from the JSON name (e.g. `Attributes` is `Attribute.N`).
 */

export type Shape =
  | { readonly t: 'string' }
  | { readonly t: 'int' }
  | { readonly t: 'bool' }
  | { readonly t: 'blob' }
  | { readonly t: 'list'; readonly member: Shape }
  | {
      readonly t: 'map';
      readonly value: Shape;
      /** Names of the key and value elements of a query/XML map entry. */
      readonly k: 'Name' | 'Key';
    }
  | { readonly t: 'struct'; readonly members: Readonly<Record<string, Member>> };

export interface Member {
  readonly shape: Shape;
  /** Query/XML element name when it differs from the JSON member name. */
  readonly q?: string;
  readonly required?: boolean;
}

export type StructShape = Extract<Shape, { t: 'struct' }>;

export const str: Shape = { t: 'string' };
export const int: Shape = { t: 'int' };
export const bool: Shape = { t: 'bool' };
export const blob: Shape = { t: 'blob' };
export const list = (member: Shape): Shape => ({ t: 'list', member });
export const map = (value: Shape, k: 'Name' | 'Key' = 'Name'): Shape => ({ t: 'map', value, k });
export const struct = (members: Record<string, Member | Shape>): StructShape => {
  const out: Record<string, Member> = {};
  for (const [name, m] of Object.entries(members)) out[name] = 'shape' in m ? m : { shape: m };
  return { t: 'struct', members: out };
};
export const req = (shape: Shape): Member => ({ shape, required: true });
export const as = (q: string, shape: Shape): Member => ({ shape, q });

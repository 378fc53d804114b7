import type { FrontEnd, SourceModule } from './types.js';
import { pythonFrontEnd } from './python/index.js';
import { javascriptFrontEnd, typescriptFrontEnd, tsxFrontEnd } from './javascript/index.js';
// Each front end's semantics for the taint engine, registered wherever front ends are known.
import './python/taint-semantics.js';
import './javascript/taint-semantics.js';

/** Front ends by language; JavaScript and TypeScript have one per grammar (JS/JSX, TS, TSX). */
export const frontEnds: readonly FrontEnd<SourceModule>[] = [
  pythonFrontEnd as unknown as FrontEnd<SourceModule>,
  javascriptFrontEnd as unknown as FrontEnd<SourceModule>,
  typescriptFrontEnd as unknown as FrontEnd<SourceModule>,
  tsxFrontEnd as unknown as FrontEnd<SourceModule>,
];

export function frontEndForPath(path: string): FrontEnd<SourceModule> | undefined {
  const lower = path.toLowerCase();
  return frontEnds.find((fe) => fe.extensions.some((ext) => lower.endsWith(ext)));
}

export const supportedExtensions: readonly string[] = frontEnds.flatMap((fe) => fe.extensions);

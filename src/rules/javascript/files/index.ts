import type { AnyRule } from '../../define-rule.js';
import permissiveFileMode from './permissive-file-mode.js';
import predictableTempFile from './predictable-temp-file.js';
import unsafeDeserialization from './unsafe-deserialization.js';
import xxeLibxmljs from './xxe-libxmljs.js';

/** JavaScript/TypeScript files and data formats: permissions, temp files, XML entities, deserialisation. */
export const javascriptFileRules: AnyRule[] = [permissiveFileMode, predictableTempFile, xxeLibxmljs, unsafeDeserialization];

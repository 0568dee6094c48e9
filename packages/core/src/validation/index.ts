export { ValidationError, type ValidationErrorKind } from './errors.js';
export { isHyphenatedUuid, validateFileId, validateRecordId } from './ids.js';

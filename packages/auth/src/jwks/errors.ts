import { AuthPackageError } from '../errors/base.js';

/**
 * JWKS failures (JWKS-06). The first five concern the document and its transport; the rest say why
 * one key was unusable, and such keys are skipped (R13), never fatal to the whole set.
 */
export type JwksErrorKind =
  | 'Fetch'
  | 'Status'
  | 'PayloadTooLarge'
  | 'Decode'
  | 'KeyNotFound'
  | 'UnsupportedKeyType'
  | 'UnsupportedCurve'
  | 'UnsupportedAlgorithm'
  | 'UnsupportedUse'
  | 'MissingKid'
  | 'InvalidXCoordinate'
  | 'InvalidYCoordinate'
  | 'CoordinateTooLarge'
  | 'CoordinateTooShort'
  | 'PointNotOnCurve'
  | 'InvalidKey'
  | 'WeakKey';

export class JwksError extends AuthPackageError<JwksErrorKind> {
  readonly area = 'jwks' as const;
  override readonly name = 'JwksError';
}

/**
 * What a database migrated by the reference server (BetterbaseHQ/betterbase-sync @ 629f1a0) holds in
 * its sqlx ledger `_sqlx_migrations`: for each version, the description sqlx derives from the file
 * name and the SHA-384 of the reference's migration file. Our own 001–012 produce the same schema,
 * so a row here that matches means "this migration is applied" (SCHEMA-01, R26).
 */
export const REFERENCE_LEDGER_TABLE = '_sqlx_migrations';

export interface ReferenceMigration {
  readonly version: number;
  readonly description: string;
  readonly checksum: string;
}

export const REFERENCE_MIGRATIONS: readonly ReferenceMigration[] = [
  [
    1,
    'initial',
    'c1f451ce1ec7d7f5862e70ed0bb119f97f454cf8cf13332ace2d0a8059c98e719b23a8e974574a5b4807e8025c4cd815',
  ],
  [
    2,
    'revocations',
    '2561c3d373d5603150a1b63202f00058380560083fcb29f664aa05e4fb4ae53b81be07382f4244a0a65150f081cdeb18',
  ],
  [
    3,
    'invitations',
    '7b6a3167336b2d7c38d68576bfd02baee1ad468052136f65309a9b8264101b48fa12d0274f3cb3e1843ec967431aaaf2',
  ],
  [
    4,
    'add wrapped dek',
    'b78734a6a87bea23b6e08a4ffc436f3c3a1de519776c5666082f2445222fc8d4f502e993e3cc4d662aef41456ac0281f',
  ],
  [
    5,
    'files record id',
    'f8277dc2528b0d2085a4fb2489bc03ab628687845b2731cbdf733283b69194b5f82331077d8f0bf45e00247aa893ee71',
  ],
  [
    6,
    'privacy phase1',
    '10ae5d437327421c89bc5d2db16d80d5496cdbf8258eb36a88ff3ea9856c8b61a6374d10cf0390aae6372778555e7453',
  ],
  [
    7,
    'mailbox invitations',
    '6901c38fe7d3cf8d8823b4769b0f8c60856205dd70418dd28298f349f08ba3b37f5bfaadf9ce1e8b5b326666dc7edd5b',
  ],
  [
    8,
    'ephemeral rate limits',
    '7d6ad83f7cbf7f678d7b71c948682b2e111aeaf0d1426337b6c4af46fafdd481d8560bdf0e6b95d07a11b484eb543005',
  ],
  [
    9,
    'rewrap epoch',
    '69e2607afccedd58fed2367549d244ac2d36082ff101640eb784a6e09ca1831808768d148b5c278cf3e8b5299f1643f1',
  ],
  [
    10,
    'unified cursor',
    'b72bd1b3f2b209ab19549f25a9fe2ce86daf0fe74c19cf152f667b84363265951a0f60c9a70252c5c09a7b7350c07644',
  ],
  [
    11,
    'federation keys',
    'f1ad892e86faa47b402225993712a3daaea9018f386230f499c93a684241626a945a213226612123fa835938d356eb82',
  ],
  [
    12,
    'federation key lifecycle',
    '996a8e1d879ea06badd3e4dfb44ad7a01d0574914c77714d41ac2420e1bda629e4aea7dfcf63ab9df6e5ce1611a6891c',
  ],
].map(([version, description, checksum]) => ({
  version: version as number,
  description: description as string,
  checksum: checksum as string,
}));

export function referenceMigration(version: number): ReferenceMigration | undefined {
  return REFERENCE_MIGRATIONS.find((m) => m.version === version);
}

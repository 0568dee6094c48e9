/** deks.* and file.deks.* with the legacy aliases (RPC-DEK-1..4, R4). */
import type { MethodGroupFactory } from '../method.js';
import { fileDeksGetMethod, fileDeksRewrapMethod } from './files.js';
import { deksGetMethod, deksRewrapMethod } from './records.js';

export const deksGroup: MethodGroupFactory = (s) => {
  const fileGet = fileDeksGetMethod(s);
  const fileRewrap = fileDeksRewrapMethod(s);
  return {
    requests: {
      'deks.get': deksGetMethod(s),
      'deks.rewrap': deksRewrapMethod(s),
      'file.deks.get': fileGet,
      'deks.getFiles': fileGet,
      'file.deks.rewrap': fileRewrap,
      'deks.rewrapFiles': fileRewrap,
    },
  };
};

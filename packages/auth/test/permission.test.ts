import { describe, expect, it } from 'vitest';
import {
  attenuates,
  PERMISSIONS,
  PermissionError,
  parsePermission,
  permissionCommand,
  permissionFromByte,
  permissionToByte,
} from '../src/index.js';

describe('permissions', () => {
  it('PERM-01 PERM-02 parse_permission_known_commands: the three commands map to ordered levels', () => {
    expect(parsePermission('/space/read')).toBe('read');
    expect(parsePermission('/space/write')).toBe('write');
    expect(parsePermission('/space/admin')).toBe('admin');
    expect(PERMISSIONS.map(permissionCommand)).toEqual(['/space/read', '/space/write', '/space/admin']);
  });

  it('PERM-02 PERM-05 parse_permission_unknown_command: anything else is UnknownCommand', () => {
    for (const command of ['/space/nope', '/space/read/', ' /space/read', '/SPACE/READ', '']) {
      const error = (() => {
        try {
          parsePermission(command);
        } catch (e) {
          return e;
        }
      })();
      expect(error, command).toBeInstanceOf(PermissionError);
      expect((error as PermissionError).kind).toBe('UnknownCommand');
    }
    expect(() => parsePermission('/space/nope')).toThrow('unknown command "/space/nope"');
  });

  it('PERM-03 permission_attenuation: parent ≥ child', () => {
    expect(attenuates('admin', 'write')).toBe(true);
    expect(attenuates('write', 'read')).toBe(true);
    expect(attenuates('write', 'write')).toBe(true);
    expect(attenuates('read', 'write')).toBe(false);
    expect(attenuates('write', 'admin')).toBe(false);
  });

  it('PERM-04 PERM-05 byte values 1/2/3, others UnknownValue', () => {
    expect(PERMISSIONS.map(permissionToByte)).toEqual([1, 2, 3]);
    expect([1, 2, 3].map(permissionFromByte)).toEqual(['read', 'write', 'admin']);
    for (const value of [0, 4, 255]) {
      expect(() => permissionFromByte(value)).toThrow(`unknown permission value ${value}`);
    }
  });
});

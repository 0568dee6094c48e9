import { AuthPackageError } from '../errors/base.js';

/** Space permission levels, totally ordered read < write < admin (PERM-01). */
export type Permission = 'read' | 'write' | 'admin';

export const PERMISSIONS: readonly Permission[] = ['read', 'write', 'admin'];

const LEVEL: Record<Permission, 1 | 2 | 3> = { read: 1, write: 2, admin: 3 };
const COMMAND: Record<Permission, string> = {
  read: '/space/read',
  write: '/space/write',
  admin: '/space/admin',
};

export type PermissionErrorKind = 'UnknownCommand' | 'UnknownValue';

export class PermissionError extends AuthPackageError<PermissionErrorKind> {
  readonly area = 'permission' as const;
  override readonly name = 'PermissionError';
}

/** The UCAN command string of a permission, e.g. `/space/write`. */
export function permissionCommand(permission: Permission): string {
  return COMMAND[permission];
}

/** Exact, case-sensitive match of the three command strings (PERM-02). */
export function parsePermission(command: string): Permission {
  switch (command) {
    case '/space/read':
      return 'read';
    case '/space/write':
      return 'write';
    case '/space/admin':
      return 'admin';
    default:
      throw new PermissionError('UnknownCommand', `unknown command ${JSON.stringify(command)}`, {
        detail: command,
      });
  }
}

/** True when `parent` may delegate `child`, i.e. parent ≥ child (PERM-03). */
export function attenuates(parent: Permission, child: Permission): boolean {
  return LEVEL[parent] >= LEVEL[child];
}

/** The byte stored in session tokens: 1 read, 2 write, 3 admin (PERM-04). */
export function permissionToByte(permission: Permission): number {
  return LEVEL[permission];
}

export function permissionFromByte(value: number): Permission {
  switch (value) {
    case 1:
      return 'read';
    case 2:
      return 'write';
    case 3:
      return 'admin';
    default:
      throw new PermissionError('UnknownValue', `unknown permission value ${value}`, {
        detail: String(value),
      });
  }
}

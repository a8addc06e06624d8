/** OpenAPI security requirements: a user's key (header or dashboard cookie), or a host's key. */
export const USER_SECURITY: { [scheme: string]: string[] }[] = [{ AdminKey: [] }, { Session: [] }];
export const HOST_SECURITY: { [scheme: string]: string[] }[] = [{ ServerKey: [] }];

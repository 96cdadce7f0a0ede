/**
 * A Hadoop exception as WebHDFS reports it: an HTTP status and a RemoteException JSON body.
 * Statuses follow the table in Hadoop's WebHDFS REST API page ("Error Responses"):
 * IllegalArgumentException 400, SecurityException 401, IOException (and subclasses) 403,
 * FileNotFoundException 404, RuntimeException 500.
 */
export class RemoteError extends Error {
  constructor(
    readonly status: number,
    readonly exception: string,
    readonly javaClassName: string,
    message: string,
  ) {
    super(message);
  }

  body(): { RemoteException: { exception: string; javaClassName: string; message: string } } {
    return { RemoteException: { exception: this.exception, javaClassName: this.javaClassName, message: this.message } };
  }
}

const io = (exception: string, javaClassName: string) => (message: string) => new RemoteError(403, exception, javaClassName, message);

export const Remote = {
  notFound: (message: string) => new RemoteError(404, 'FileNotFoundException', 'java.io.FileNotFoundException', message),
  exists: io('FileAlreadyExistsException', 'org.apache.hadoop.fs.FileAlreadyExistsException'),
  parentNotDirectory: io('ParentNotDirectoryException', 'org.apache.hadoop.fs.ParentNotDirectoryException'),
  notEmpty: io('PathIsNotEmptyDirectoryException', 'org.apache.hadoop.fs.PathIsNotEmptyDirectoryException'),
  accessControl: io('AccessControlException', 'org.apache.hadoop.security.AccessControlException'),
  invalidToken: io('InvalidToken', 'org.apache.hadoop.security.token.SecretManager$InvalidToken'),
  componentTooLong: io('PathComponentTooLongException', 'org.apache.hadoop.hdfs.protocol.FSLimitException$PathComponentTooLongException'),
  ioException: io('IOException', 'java.io.IOException'),
  illegalArgument: (message: string) => new RemoteError(400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException', message),
  invalidPath: (message: string) => new RemoteError(400, 'InvalidPathException', 'org.apache.hadoop.fs.InvalidPathException', message),
  security: (message: string) => new RemoteError(401, 'SecurityException', 'java.lang.SecurityException', message),
  runtime: (message: string) => new RemoteError(500, 'RuntimeException', 'java.lang.RuntimeException', message),
};

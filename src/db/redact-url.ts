/** A database URL safe to print: the password never leaves the process. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
  }
}

/** Removes any `scheme://user:password@` password from free text (error messages, logs). */
export function redactSecretsInText(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]*@/gi, '$1***@');
}

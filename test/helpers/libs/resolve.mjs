// ESM resolve hook registered by register.mjs: `bullmq` → `bullmq6`, `ioredis/x` → `ioredis6/x`, ...
let aliases = {}

export function initialize(data) {
  aliases = data ?? {}
}

export async function resolve(specifier, context, next) {
  const match = /^(@?[^/]+)(\/.*)?$/.exec(specifier)
  const target = match && aliases[match[1]]
  return next(target ? target + (match[2] ?? '') : specifier, context)
}

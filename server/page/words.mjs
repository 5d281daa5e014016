// Arguments typed as one line, split the way a POSIX shell splits words ('single quotes',
// "double quotes" with \" and \\, and \ before any other character), and joined back so that
// splitting the line again gives the same arguments.

/** The arguments in `line`; throws on an unclosed quote. */
export function splitArgs(line) {
  const args = []
  let word = null // the word being read, or null between words
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (/\s/.test(c)) {
      if (word !== null) args.push(word)
      word = null
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) throw new Error('an unclosed \' in the arguments')
      word = (word ?? '') + line.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      word ??= ''
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++
        word += line[i]
      }
      if (i >= line.length) throw new Error('an unclosed " in the arguments')
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i]
    } else {
      word = (word ?? '') + c
    }
  }
  if (word !== null) args.push(word)
  return args
}

/** `args` as one line that `splitArgs` reads back as `args`. */
export function joinArgs(args) {
  return args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ')
}

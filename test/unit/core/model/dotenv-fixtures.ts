// .env texts the reader and the editor are both checked on.

/** The issue's file: `export X=9` … `X=8`, then a double-quoted multiline value with a TSQ_ line inside it (the last `X=` line of the text). */
export const ISSUE_DOTENV = [
  'export TSQ_WORKER_CONCURRENCY=9',
  'REDIS_URL=redis://:pw@127.0.0.1:6379',
  'TSQ_WORKER_CONCURRENCY=8',
  'CERT="-----BEGIN-----',
  'TSQ_WORKER_CONCURRENCY=3',
  '-----END-----"',
  '',
].join('\n')

/** Odd inputs: each is checked against Node's own parser. */
export const ODD_INPUTS: Record<string, string> = {
  issue: ISSUE_DOTENV,
  crlf: 'A=1\r\nB="x\r\ny"\r\nexport C=3\r\n',
  bom: '\uFEFFA=1\nB=2\n',
  'no trailing newline': 'A=1\nB=2',
  'no trailing newline, quoted': 'A=1\nB="two"',
  duplicates: 'A=1\nexport A=2\nA=3\n',
  comments: '# top\nA=1 # one\nB="x # y" # two\nC=a#b\n#D=4\n  # E=5\nF=\'#\'\n',
  'single quotes': 'A=\'it "is"\'\nB=\'multi\nline=1\'\nC=3\n',
  backticks: 'A=`one\nB=2\n`\nC=3\n',
  'empty values': 'A=\nB=""\nC=\'\'\nD=  \nE=',
  'unterminated quote': 'A="abc\nB=2\nC=\'x\nD=4\n',
  'unterminated quote at the end': 'A=1\nB="abc',
  'text after a closing quote': 'A="x" junk\nB=2\n',
  'spaces around': '  A = 1  \nB= " x " \n\tC=3\n',
  'a line without =': 'A=1\njust text\nB=2\n',
  'comment at the end without newline': 'A=1\n#B=2',
  'lone carriage return': 'A=1\rB=2\nC=3\n',
  'escaped newline in double quotes': 'A="a\\nb"\nB=\'a\\nb\'\n',
  'export forms': 'export A=1\nexport  B=2\n  export C=3\nexportD=4\n',
  'empty key stops Node': 'A=1\n=x\nB=2\n',
}

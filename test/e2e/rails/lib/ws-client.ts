// A minimal WebSocket client (RFC 6455) for the proof: Node 20 has no WebSocket, and the proof needs only text
// frames — the handshake, masked frames out, unmasked frames in (any length), close. No extensions, no fragments.
import {randomBytes} from 'node:crypto'
import {request} from 'node:http'
import type {Socket} from 'node:net'

export interface TextSocket {
  send(text: string): void
  onText(listener: (text: string) => void): void
  close(): void
}

export function connectWebSocket(url: string, headers: Record<string, string> = {}, timeoutMs = 15_000): Promise<TextSocket> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, 'http'), {headers: {...headers, 'Connection': 'Upgrade', 'Upgrade': 'websocket',
      'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64')}, timeout: timeoutMs})
    req.on('timeout', () => req.destroy(new Error(`WebSocket handshake to ${url} timed out`)))
    req.on('error', reject)
    req.on('response', res => reject(new Error(`WebSocket handshake to ${url}: HTTP ${res.statusCode}`)))
    req.on('upgrade', (_res, socket: Socket, head: Buffer) => resolve(textSocket(socket, head)))
    req.end()
  })
}

function textSocket(socket: Socket, head: Buffer): TextSocket {
  const listeners: Array<(text: string) => void> = []
  let buffer = head
  socket.on('data', chunk => {
    buffer = Buffer.concat([buffer, chunk])
    for (;;) {
      if (buffer.length < 2) return
      const opcode = buffer[0]! & 0x0f
      let length = buffer[1]! & 0x7f
      let offset = 2
      if (length === 126) { if (buffer.length < 4) return; length = buffer.readUInt16BE(2); offset = 4 }
      if (length === 127) { if (buffer.length < 10) return; length = Number(buffer.readBigUInt64BE(2)); offset = 10 }
      if (buffer.length < offset + length) return
      const payload = buffer.subarray(offset, offset + length)
      buffer = buffer.subarray(offset + length)
      if (opcode === 1) for (const l of listeners) l(payload.toString('utf8'))
      if (opcode === 9) frame(socket, 10, payload)
    }
  })
  socket.on('error', () => {})
  return {
    send: text => frame(socket, 1, Buffer.from(text, 'utf8')),
    onText: listener => void listeners.push(listener),
    close: () => { frame(socket, 8, Buffer.alloc(0)); socket.end() },
  }
}

/** A masked frame, as a client must send. */
function frame(socket: Socket, opcode: number, payload: Buffer): void {
  const mask = randomBytes(4)
  const length = payload.length
  const header = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length])
    : length < 65_536 ? Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 126]), u16(length)])
      : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), u64(length)])
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))
  if (!socket.destroyed) socket.write(Buffer.concat([header, mask, masked]))
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

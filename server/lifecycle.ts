// The protocol's lifecycle, enforced where messages come in, for every method alike
// (registered or not): before `initialize` a request is answered ServerNotInitialized
// (-32002) and a notification dropped (except `exit`); after `shutdown` a request is
// answered InvalidRequest and a notification dropped (except `exit`). vscode-languageserver
// enforces neither, so without this a hover before `initialize` ran against no state.

import {
  AbstractMessageReader,
  Disposable,
  ErrorCodes,
  type DataCallback,
  type Message,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';

type Phase = 'uninitialized' | 'initializing' | 'running' | 'shut down';

interface Incoming {
  id?: number | string | null;
  method?: unknown;
}

export class LifecycleGate extends AbstractMessageReader implements MessageReader {
  private phase: Phase = 'uninitialized';

  constructor(
    private readonly inner: MessageReader,
    private readonly writer: MessageWriter,
  ) {
    super();
    inner.onError((e) => this.fireError(e));
    inner.onClose(() => this.fireClose());
    inner.onPartialMessage((p) => this.firePartialMessage(p));
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((m) => {
      if (this.admit(m as Incoming)) callback(m);
    });
  }

  /** Whether a message goes on to the server; answers or drops it otherwise. */
  private admit(m: Incoming): boolean {
    if (typeof m.method !== 'string') return true; // a response to one of our requests
    const isRequest = m.id !== undefined && m.id !== null;
    if (m.method === 'exit') return true;
    switch (this.phase) {
      case 'uninitialized':
        if (m.method === 'initialize' && isRequest) {
          this.phase = 'initializing';
          return true;
        }
        if (isRequest) this.refuse(m.id!, ErrorCodes.ServerNotInitialized, `the server is not initialized: send 'initialize' before '${m.method}'`);
        return false;
      case 'initializing':
      case 'running':
        if (m.method === 'initialize' && isRequest) {
          this.refuse(m.id!, ErrorCodes.InvalidRequest, "'initialize' was already sent");
          return false;
        }
        if (m.method === 'initialized') this.phase = 'running';
        if (m.method === 'shutdown' && isRequest) this.phase = 'shut down';
        return true;
      case 'shut down':
        if (isRequest) this.refuse(m.id!, ErrorCodes.InvalidRequest, `the server is shut down: only 'exit' is accepted, not '${m.method}'`);
        return false;
    }
  }

  private refuse(id: number | string, code: number, message: string): void {
    void this.writer.write({ jsonrpc: '2.0', id, error: { code, message } } as Message);
  }
}

/**
 * One peer (peers.mjs) as a process of its own, so that its CPU is measured by pid like redsqs's:
 *   node peer-server.mjs NAME ENTRY
 * imports ENTRY (the installed package's main file), starts the peer on 127.0.0.1 and a free port,
 * prints "listening <port>", and stops on SIGTERM or SIGINT.
 */
import { pathToFileURL } from 'node:url';
import { PEERS } from './peers.mjs';

const [name = '', entry = ''] = process.argv.slice(2);
const peer = PEERS[name];
if (!peer || !entry) {
  process.stderr.write('usage: node peer-server.mjs NAME ENTRY\n');
  process.exit(2);
}
const server = await peer.start(await import(pathToFileURL(entry).href));
process.stdout.write(`listening ${server.port}\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(0), 5_000);
  force.unref();
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

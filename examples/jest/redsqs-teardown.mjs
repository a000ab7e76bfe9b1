export default async function teardown() {
  await globalThis.__REDSQS__?.stop();
}

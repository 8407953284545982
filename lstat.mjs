import { open } from 'lmdb';
const env = open({ path: process.argv[2], readOnly: true, maxDbs: 16 });
console.log('env', env.getStats());
for (const name of ['blobs','packs','inodes','dirents','snapshots','state','users']) {
  const db = env.openDB({ name, keyEncoding: 'binary', encoding: 'binary' });
  const s = db.getStats(); console.log(name, s.entryCount, 'branch', s.treeBranchPageCount, 'leaf', s.treeLeafPageCount, 'ovf', s.overflowPages);
}

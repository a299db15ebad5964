// ---- storage ---------------------------------------------------------------------------------

let items = await load();
let queue = Promise.resolve();

async function load() {
  await mkdir(DATA_DIR, { recursive: true });
  try {
    const saved = JSON.parse(await readFile(DATA_FILE, 'utf8'))[STORE_KEY];
    if (!Array.isArray(saved)) throw new Error(`it holds no list of ${STORE_KEY}`);
    return saved;
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw new Error(`cannot read ${DATA_FILE}: ${error.message}; fix or move the file, then start again`);
  }
}

/** Writes a temp file, flushes it, then renames it over the old one: a crash leaves old or new, never half. */
async function save(list) {
  const temp = `${DATA_FILE}.${process.pid}.tmp`;
  const file = await open(temp, 'w');
  try {
    await file.writeFile(`${JSON.stringify({ [STORE_KEY]: list }, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, DATA_FILE);
}

/** Applies one change at a time, so two requests never overwrite each other's changes. */
function change(update) {
  const run = queue.then(async () => {
    const { next, result } = update(items);
    await save(next);
    items = next;
    return result;
  });
  queue = run.catch(() => {});
  return run;
}


// Claims a serial key in a PostgreSQL ledger's work sharing, prints
// "claimed", and holds it until killed. Args: url key.
import { PgWorkClaims } from '../../../src/ledger/postgres/pg-work-claims.js';

const [url, key] = process.argv.slice(2);
const claims = await PgWorkClaims.connect(url!);
if (!(await claims.tryClaim(key!))) throw new Error(`${key} is claimed already`);
console.log('claimed');
setInterval(() => undefined, 1000);

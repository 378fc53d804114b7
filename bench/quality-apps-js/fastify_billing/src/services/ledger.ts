import Database from 'better-sqlite3';
import knexFactory from 'knex';

const db = new Database('/var/lib/billing/ledger.db');
export const knex = knexFactory({ client: 'pg', connection: process.env.PG_URL });

export enum Status { Open = 'open', Paid = 'paid', Void = 'void' }

export function invoicesFor(customer: string, status: Status) {
  // safe: sqli
  return db.prepare(`SELECT * FROM invoices WHERE customer = ? AND status = '${status}'`).all(customer);
}

export function invoicesMatching(filter: string) {
  // vuln: sqli
  return db.prepare(`SELECT * FROM invoices WHERE ${filter}`).all();
}

export function totalsBy(column: string) {
  // vuln: sqli
  return knex.raw(`SELECT ${column}, sum(amount) FROM invoices GROUP BY ${column}`);
}

export function totalsByCustomer(customer: string) {
  // safe: sqli
  return knex('invoices').where({ customer }).sum('amount');
}

export function markPaid(id: number) {
  // safe: sqli
  return db.exec(`UPDATE invoices SET status = 'paid' WHERE id = ${id}`);
}

export function notes(customer: string) {
  // vuln: sqli
  return knex.raw("SELECT note FROM notes WHERE customer = '" + customer + "'");
}

import { PrismaClient } from '@prisma/client';
import { Sequelize, QueryTypes } from 'sequelize';

export const prisma = new PrismaClient();
export const sequelize = new Sequelize(process.env.DATABASE_URL ?? 'postgres://localhost/dash');

export async function usersInTeam(team: string) {
  // vuln: sqli
  return prisma.$queryRawUnsafe(`SELECT id, email FROM "User" WHERE team = '${team}'`);
}

export async function usersInTeamSafe(team: string) {
  // safe: sqli
  return prisma.$queryRaw`SELECT id, email FROM "User" WHERE team = ${team}`;
}

export async function auditFor(userId: string, since: string) {
  // vuln: sqli
  return sequelize.query(`SELECT * FROM audit WHERE user_id = '${userId}' AND at > '${since}'`, { type: QueryTypes.SELECT });
}

export async function auditForSafe(userId: string, since: string) {
  // safe: sqli
  return sequelize.query('SELECT * FROM audit WHERE user_id = :userId AND at > :since', { replacements: { userId, since }, type: QueryTypes.SELECT });
}

export async function purgeSessions(olderThanDays: number) {
  // safe: sqli
  return prisma.$executeRawUnsafe(`DELETE FROM "Session" WHERE created < now() - interval '${olderThanDays} days'`);
}

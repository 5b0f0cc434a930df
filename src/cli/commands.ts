/**
 * Thin CLI commands over a worker's REST API: each is one request, printing the answer.
 * Exit codes: 0 done, 1 the worker refused or could not be reached, 2 wrong usage.
 */
import { readFileSync } from 'node:fs';
import { connectorPath, RestClient } from './rest-client.js';

export interface ClientCommand {
  usage: string;
  summary: string;
  /** number of positional arguments */
  args: number;
  run(client: RestClient, args: string[]): Promise<void>;
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

interface StatusBody {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
  warnings?: { key: string; message: string }[];
}

/** The body a file holds: {"name", "config"} (a POST /connectors body), like `pgcdc run` reads. */
function readRegistration(file: string): { name: string; config: Record<string, unknown> } {
  let body: { name?: unknown; config?: unknown };
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || typeof body.config !== 'object' || body.config === null) {
    throw new Error(`${file}: expected {"name": ..., "config": {...}}`);
  }
  const config = body.config as Record<string, unknown>;
  const name = body.name ?? config.name;
  if (typeof name !== 'string') throw new Error(`${file}: no connector name ("name")`);
  return { name, config };
}

const lifecycle = (verb: 'pause' | 'resume' | 'stop', summary: string): ClientCommand => ({
  usage: `${verb} <name>`,
  summary,
  args: 1,
  run: async (client, [name]) => {
    await client.call('PUT', connectorPath(name!, `/${verb}`));
    console.log(`${verb}: ${name} done`);
  },
});

const decide = (verb: 'approve' | 'skip-table' | 'reject', summary: string): ClientCommand => ({
  usage: `schema-change-${verb} <name> <id>`,
  summary,
  args: 2,
  run: async (client, [name, id]) => print(await client.call('POST', connectorPath(name!, `/schema-changes/${encodeURIComponent(id!)}/${verb}`))),
});

export const CLIENT_COMMANDS: Record<string, ClientCommand> = {
  list: {
    usage: 'list',
    summary: 'list the connectors and their states',
    args: 0,
    run: async (client) => {
      const all = (await client.call('GET', '/connectors?expand=status')) as Record<string, { status: StatusBody }>;
      const names = Object.keys(all).sort();
      if (names.length === 0) console.log('(no connectors)');
      for (const name of names) {
        const s = all[name]!.status;
        console.log(`${name}\t${s.connector.state}${s.tasks[0] && s.tasks[0].state !== s.connector.state ? ` (task ${s.tasks[0].state})` : ''}`);
      }
    },
  },
  status: {
    usage: 'status <name>',
    summary: 'show a connector status (state, trace, warnings)',
    args: 1,
    run: async (client, [name]) => print(await client.call('GET', connectorPath(name!, '/status'))),
  },
  register: {
    usage: 'register <file.json>',
    summary: 'create a connector from a {"name", "config"} file',
    args: 1,
    run: async (client, [file]) => {
      const { name, config } = readRegistration(file!);
      print(await client.call('POST', '/connectors', { name, config }));
    },
  },
  pause: lifecycle('pause', 'pause a connector (drains, stores its offset)'),
  resume: lifecycle('resume', 'resume a paused or stopped connector'),
  stop: lifecycle('stop', 'stop a connector (its offsets may then be changed)'),
  restart: {
    usage: 'restart <name>',
    summary: 'restart a connector (re-reads its config)',
    args: 1,
    run: async (client, [name]) => {
      print(await client.call('POST', connectorPath(name!, '/restart?includeTasks=true')));
    },
  },
  'schema-changes': {
    usage: 'schema-changes <name>',
    summary: 'show the pending breaking schema change, decisions taken and skipped tables',
    args: 1,
    run: async (client, [name]) => print(await client.call('GET', connectorPath(name!, '/schema-changes'))),
  },
  'schema-change-approve': decide('approve', 'register the pending schema change (one-time compatibility override) and resume'),
  'schema-change-skip-table': decide('skip-table', 'remove the table of the pending schema change from capture and resume'),
  'schema-change-reject': decide('reject', 'record the refusal of the pending schema change; the connector stays paused'),
  delete: {
    usage: 'delete <name>',
    summary: 'stop and delete a connector (offsets and slot are kept)',
    args: 1,
    run: async (client, [name]) => {
      await client.call('DELETE', connectorPath(name!));
      console.log(`delete: ${name} done`);
    },
  },
};

import { requireScopes } from '@platform/auth';
import { type App, type Handler, notFound } from '@platform/http';
import { decodeCursor, type ItemsRepository } from './items.repository.ts';
import { createItemSchema, deleteItemSchema, getItemSchema, listItemsSchema } from './items.schemas.ts';

const listItems =
  (items: ItemsRepository): Handler<typeof listItemsSchema> =>
  async (request) => {
    const { limit, cursor } = request.query;
    const after = cursor ? decodeCursor(cursor) : undefined;
    return items.list({ limit, ...(after ? { after } : {}) });
  };

const getItem =
  (items: ItemsRepository): Handler<typeof getItemSchema> =>
  async (request) => {
    const found = await items.get(request.params.id);
    if (!found) throw notFound(`item ${request.params.id} does not exist`);
    return found;
  };

const createItem =
  (items: ItemsRepository): Handler<typeof createItemSchema> =>
  async (request, reply) => {
    const created = await items.create({
      name: request.body.name,
      data: request.body.data ?? null,
      createdBy: request.token!.sub,
      createdByActor: request.token!.act?.sub ?? null,
    });
    return reply.status(201).header('location', `/test/api/v1/items/${created.id}`).send(created);
  };

const deleteItem =
  (items: ItemsRepository): Handler<typeof deleteItemSchema> =>
  async (request, reply) => {
    if (!(await items.remove(request.params.id))) throw notFound(`item ${request.params.id} does not exist`);
    return reply.status(204).send();
  };

/** A small persisted resource, so tests and load runs through the platform exercise a real database. */
export function itemRoutes(app: App, items: ItemsRepository): void {
  const read = requireScopes('test:read');
  const write = requireScopes('test:write');
  app.get('/test/api/v1/items', { preHandler: read, schema: listItemsSchema }, listItems(items));
  app.get('/test/api/v1/items/:id', { preHandler: read, schema: getItemSchema }, getItem(items));
  app.post('/test/api/v1/items', { preHandler: write, schema: createItemSchema }, createItem(items));
  app.delete('/test/api/v1/items/:id', { preHandler: write, schema: deleteItemSchema }, deleteItem(items));
}

import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import cors from '@koa/cors';
import notes from './routes/notes.mjs';
import share from './routes/share.mjs';

const app = new Koa();
// vuln: secrets
app.keys = ['koa-notes-cookie-signing-key'];

// vuln: cors
app.use(cors({ origin: (ctx) => ctx.get('Origin'), credentials: true }));
app.use(bodyParser());

app.use(async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    ctx.status = err.status || 500;
    // vuln: error-exposure
    ctx.body = { message: err.message, stack: err.stack, query: err.query };
  }
});

app.use(notes.routes());
app.use(share.routes());

app.listen(Number(process.env.PORT ?? 8080));

'use strict';
const express = require('express');
const session = require('express-session');
const cookieParser = require('cookie-parser');
const cors = require('cors');
const products = require('./routes/products');
const admin = require('./routes/admin');
const account = require('./routes/account');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use(cookieParser());

// vuln: cors
app.use(cors({ origin: true, credentials: true }));

app.use(
  session({
    // vuln: secrets
    secret: 'shop-session-secret-2023',
    resave: false,
    saveUninitialized: false,
    // vuln: cookie
    cookie: { httpOnly: false, secure: false },
  }),
);

app.use('/products', products);
app.use('/admin', admin);
app.use('/account', account);

app.use((err, req, res, next) => {
  console.error(err);
  // vuln: error-exposure
  res.status(500).send(`<pre>${err.stack}</pre>`);
});

app.listen(process.env.PORT || 3000);

module.exports = app;

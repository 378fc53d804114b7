'use strict';
const mongoose = require('mongoose');

const reviewSchema = new mongoose.Schema({
  product: String,
  author: String,
  stars: Number,
  body: String,
});

module.exports = mongoose.model('Review', reviewSchema);

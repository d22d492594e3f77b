/* train_fashion: trains the LeNet-5 of fashion_lenet5.nn, compiled by nnc with
 * its training step, on Fashion-MNIST, reports the test accuracy and saves
 * the trained parameters as safetensors (loadable by PyTorch, by
 * nnc_load_safetensors, e.g. `classify --fashion --weights FILE`, and by
 * `nnc --weights`).
 *
 *   train_fashion [--data DIR] [--epochs N] [--limit N] [--out FILE]
 *                 [--seed S] [--lr X] [--quiet]
 *
 * The data are the four gzip'ed IDX files of Fashion-MNIST in DIR (Debian's
 * dataset-fashion-mnist by default), read with zlib and validated. Each epoch
 * visits the training examples in a new order (Fisher-Yates with a splitmix64
 * generator seeded by --seed), in batches of 64 (a last partial batch is
 * dropped). Pixels are scaled to [0, 1] and normalised with the training
 * set's mean and standard deviation. The last line of the output is
 * `test accuracy: NN.NN%`.
 *
 * As with every nnc model, the memory is the application's: parameters,
 * optimizer state, scratch, inputs and outputs, 64-byte aligned and sized by
 * the macros of fashion_lenet5.h. */
#define _POSIX_C_SOURCE 200809L
#include "fashion_lenet5.h"
#include "nnc_runtime.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#define DEFAULT_DATA "/usr/share/datasets/fashion-mnist"
#define DEFAULT_OUT "fashion_lenet5.safetensors"
/* Mean and standard deviation of the Fashion-MNIST training pixels in [0, 1]. */
#define PIXEL_MEAN 0.2860f
#define PIXEL_STD 0.3530f

enum {
  BATCH = 64,
  SIDE = 28,
  PIXELS = SIDE * SIDE,
  CLASSES = 10,
  IDX_IMAGES_MAGIC = 0x00000803, /* unsigned bytes, 3 dimensions */
  IDX_LABELS_MAGIC = 0x00000801, /* unsigned bytes, 1 dimension */
  REPORT_EVERY = 100             /* steps between progress lines */
};

/* The program relies on the model's shapes: fail to compile if they change. */
typedef char image_shape_check[FASHION_LENET5_INPUT_IMAGE_ELEMENTS == BATCH * PIXELS ? 1 : -1];
typedef char logits_shape_check[FASHION_LENET5_OUTPUT_LOGITS_ELEMENTS == BATCH * CLASSES ? 1 : -1];

static const char *program = "train_fashion";

static void fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: ", program);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(1);
}

/* Allocates `bytes` (rounded up to the alignment) aligned to NNC_ALIGNMENT,
 * zeroed; exits on failure. */
static void *aligned_buffer(size_t bytes) {
  void *p = NULL;
  size_t rounded = (bytes + NNC_ALIGNMENT - 1) / NNC_ALIGNMENT * NNC_ALIGNMENT;
  if (rounded == 0)
    rounded = NNC_ALIGNMENT;
  if (posix_memalign(&p, NNC_ALIGNMENT, rounded) != 0)
    fail("out of memory (%zu bytes)", rounded);
  memset(p, 0, rounded);
  return p;
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- Reading the gzip'ed IDX files ---------------------------------------- */

typedef struct idx_file {
  char path[4096];
  gzFile gz;
} idx_file;

/* Why a read stopped early: the system's or zlib's reason for a damaged
 * stream (without the path zlib puts in front), else "unexpected end of file". */
static const char *gz_reason(idx_file *f) {
  int code = Z_OK;
  const char *message = gzerror(f->gz, &code);
  if (code == Z_ERRNO)
    return strerror(errno);
  if (code == Z_OK || !message || !*message)
    return "unexpected end of file";
  size_t n = strlen(f->path);
  if (strncmp(message, f->path, n) == 0 && strncmp(message + n, ": ", 2) == 0)
    message += n + 2;
  return message;
}

/* Reads up to `size` bytes; returns how many were read (fewer only at the
 * end of the data or on an error). */
static size_t gz_read_full(idx_file *f, unsigned char *out, size_t size) {
  size_t done = 0;
  while (done < size) {
    size_t chunk = size - done > (1u << 20) ? (1u << 20) : size - done;
    int n = gzread(f->gz, out + done, (unsigned)chunk);
    if (n <= 0)
      break;
    done += (size_t)n;
  }
  return done;
}

/* Exits unless the stream just ended early: a damaged stream is reported as
 * such, not as truncation. */
static void fail_if_corrupt(idx_file *f) {
  int code = Z_OK;
  gzerror(f->gz, &code);
  if (code == Z_ERRNO)
    fail("cannot read %s: %s", f->path, strerror(errno));
  if (code != Z_OK && code != Z_BUF_ERROR)
    fail("%s: corrupt gzip data (%s)", f->path, gz_reason(f));
}

/* Reads the `size` bytes of an IDX header that start at `offset`. */
static void idx_read_header(idx_file *f, unsigned char *header, size_t size, size_t offset) {
  size_t n = gz_read_full(f, header, size);
  if (n < size) {
    fail_if_corrupt(f);
    fail("%s: truncated: %zu bytes, shorter than the IDX header (%s)", f->path, offset + n,
         gz_reason(f));
  }
}

static uint32_t big_endian32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Opens DIR/NAME and checks its magic number; returns the item count. */
static uint32_t idx_open(idx_file *f, const char *dir, const char *name, uint32_t magic) {
  int n = snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= sizeof f->path)
    fail("%s/%s: path too long", dir, name);
  errno = 0;
  f->gz = gzopen(f->path, "rb");
  if (!f->gz)
    fail("cannot open %s: %s", f->path, errno ? strerror(errno) : "out of memory");
  unsigned char header[8];
  idx_read_header(f, header, sizeof header, 0);
  uint32_t got = big_endian32(header);
  if (got != magic)
    fail("%s: bad magic number 0x%08x, expected 0x%08x (IDX %s)", f->path, (unsigned)got,
         (unsigned)magic, magic == IDX_IMAGES_MAGIC ? "images: unsigned bytes, 3 dimensions"
                                                    : "labels: unsigned bytes, 1 dimension");
  return big_endian32(header + 4);
}

/* Reads the `count` records of `record` bytes that follow a header of
 * `header_bytes`, growing the buffer as the data arrive so that a damaged
 * count fails as truncation, not as a huge allocation. Then checks that
 * nothing follows them and closes the file. */
static unsigned char *idx_read_records(idx_file *f, size_t header_bytes, uint32_t count,
                                       size_t record, const char *what) {
  size_t total = (size_t)count * record, capacity = 1, done = 0;
  unsigned char *data = malloc(capacity);
  while (data && done < total) {
    size_t want = total - done > (8u << 20) ? (8u << 20) : total - done;
    if (done + want > capacity) {
      size_t next = capacity < (1u << 20) ? (1u << 20) : capacity;
      while (next < done + want)
        next *= 2;
      capacity = next < total ? next : total;
      unsigned char *grown = realloc(data, capacity);
      if (!grown)
        free(data);
      data = grown;
      if (!data)
        break;
    }
    size_t n = gz_read_full(f, data + done, want);
    if (n < want) {
      fail_if_corrupt(f);
      fail("%s: truncated: %zu of the %zu bytes its header announces (%u %s) (%s)", f->path,
           header_bytes + done + n, header_bytes + total, (unsigned)count, what, gz_reason(f));
    }
    done += want;
  }
  if (!data)
    fail("out of memory reading %s", f->path);
  unsigned char extra;
  int n = gzread(f->gz, &extra, 1);
  if (n < 0)
    fail_if_corrupt(f);
  if (n != 0)
    fail("%s: %s after its %u %s", f->path, n > 0 ? "unexpected data" : gz_reason(f),
         (unsigned)count, what);
  gzclose(f->gz);
  f->gz = NULL;
  return data;
}

typedef struct dataset {
  uint32_t count;
  unsigned char *images; /* count x 28 x 28 */
  unsigned char *labels; /* count, each in 0..9 */
} dataset;

/* Loads DIR/<split>-images-idx3-ubyte.gz and DIR/<split>-labels-idx1-ubyte.gz. */
static dataset load_split(const char *dir, const char *split) {
  char name[64];
  idx_file images, labels;
  dataset d;

  snprintf(name, sizeof name, "%s-images-idx3-ubyte.gz", split);
  d.count = idx_open(&images, dir, name, IDX_IMAGES_MAGIC);
  unsigned char dims[8];
  idx_read_header(&images, dims, sizeof dims, 8);
  uint32_t rows = big_endian32(dims), cols = big_endian32(dims + 4);
  if (rows != SIDE || cols != SIDE)
    fail("%s: images are %ux%u, expected %dx%d", images.path, (unsigned)rows, (unsigned)cols,
         SIDE, SIDE);
  if (d.count == 0)
    fail("%s: no images", images.path);

  snprintf(name, sizeof name, "%s-labels-idx1-ubyte.gz", split);
  uint32_t label_count = idx_open(&labels, dir, name, IDX_LABELS_MAGIC);
  if (label_count != d.count)
    fail("%s: %u labels, but %s has %u images", labels.path, (unsigned)label_count,
         images.path, (unsigned)d.count);

  d.labels = idx_read_records(&labels, 8, d.count, 1, "labels");
  for (uint32_t i = 0; i < d.count; ++i)
    if (d.labels[i] >= CLASSES)
      fail("%s: label %u at index %u is outside 0..%d", labels.path, (unsigned)d.labels[i],
           (unsigned)i, CLASSES - 1);
  d.images = idx_read_records(&images, 16, d.count, PIXELS, "images");
  return d;
}

/* ---- Shuffling ------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Fisher-Yates; the modulo bias (< n / 2^64) is negligible. */
static void shuffle(uint32_t *order, uint32_t n, uint64_t *state) {
  for (uint32_t i = n - 1; i > 0; --i) {
    uint32_t j = (uint32_t)(splitmix64(state) % ((uint64_t)i + 1));
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

/* ---- Command line ----------------------------------------------------------- */

static void usage(void) {
  fprintf(stderr,
          "usage: %s [--data DIR] [--epochs N] [--limit N] [--out FILE.safetensors]\n"
          "       %*s [--seed S] [--lr X] [--quiet]\n"
          "  --data DIR    Fashion-MNIST's four .gz IDX files (default " DEFAULT_DATA ")\n"
          "  --epochs N    passes over the training set (default 1; 0 saves the initial\n"
          "                parameters)\n"
          "  --limit N     train on the first N training examples only (0: all)\n"
          "  --out FILE    where to save the trained parameters (default " DEFAULT_OUT ")\n"
          "  --seed S      seed of the initial parameters and of the shuffling (default 1)\n"
          "  --lr X        learning rate (default: the model's train section)\n"
          "  --quiet       print only the test accuracy\n",
          program, (int)strlen(program), "");
  exit(2);
}

static const char *option_value(int argc, char **argv, int *i) {
  if (*i + 1 >= argc) {
    fprintf(stderr, "%s: %s needs a value\n", program, argv[*i]);
    usage();
  }
  return argv[++*i];
}

static unsigned long long parse_count(const char *option, const char *text,
                                      unsigned long long max) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno == ERANGE || v > max) {
    fprintf(stderr, "%s: %s: expected an integer in 0..%llu, got '%s'\n", program, option, max,
            text);
    usage();
  }
  return v;
}

int main(int argc, char **argv) {
  const char *data_dir = DEFAULT_DATA, *out_path = DEFAULT_OUT;
  unsigned long long epochs = 1, limit = 0, seed = 1;
  int quiet = 0, have_lr = 0;
  double lr = 0;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (strcmp(arg, "--data") == 0)
      data_dir = option_value(argc, argv, &i);
    else if (strcmp(arg, "--out") == 0)
      out_path = option_value(argc, argv, &i);
    else if (strcmp(arg, "--epochs") == 0)
      epochs = parse_count(arg, option_value(argc, argv, &i), 1000000);
    else if (strcmp(arg, "--limit") == 0)
      limit = parse_count(arg, option_value(argc, argv, &i), UINT32_MAX);
    else if (strcmp(arg, "--seed") == 0)
      seed = parse_count(arg, option_value(argc, argv, &i), UINT64_MAX);
    else if (strcmp(arg, "--lr") == 0) {
      const char *text = option_value(argc, argv, &i);
      char *end = NULL;
      lr = strtod(text, &end);
      if (end == text || *end != '\0' || !(lr > 0) || !(lr < 1e30)) {
        fprintf(stderr, "%s: --lr: expected a positive number, got '%s'\n", program, text);
        usage();
      }
      have_lr = 1;
    } else if (strcmp(arg, "--quiet") == 0)
      quiet = 1;
    else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
      usage();
    else {
      fprintf(stderr, "%s: unknown argument '%s'\n", program, arg);
      usage();
    }
  }

  struct stat st;
  if (stat(data_dir, &st) != 0)
    fail("data directory %s: %s (install Debian's dataset-fashion-mnist or pass --data DIR)",
         data_dir, strerror(errno));
  if (!S_ISDIR(st.st_mode))
    fail("data directory %s: not a directory", data_dir);

  double t0 = now_seconds();
  dataset train = load_split(data_dir, "train");
  dataset test = load_split(data_dir, "t10k");
  uint32_t n_train = train.count;
  if (limit > 0 && limit < n_train)
    n_train = (uint32_t)limit;
  if (n_train < BATCH && epochs > 0)
    fail("%u training examples: fewer than one batch of %d", (unsigned)n_train, BATCH);
  uint32_t steps = n_train / BATCH;

  /* The model's buffers; one scratch buffer serves both entry points. */
  size_t scratch_bytes = FASHION_LENET5_TRAIN_SCRATCH_BYTES > FASHION_LENET5_INFER_SCRATCH_BYTES
                             ? FASHION_LENET5_TRAIN_SCRATCH_BYTES
                             : FASHION_LENET5_INFER_SCRATCH_BYTES;
  void *params = aligned_buffer(FASHION_LENET5_PARAM_BYTES);
  void *opt_state = aligned_buffer(FASHION_LENET5_OPT_STATE_BYTES);
  void *scratch = aligned_buffer(scratch_bytes);
  float *image = aligned_buffer(FASHION_LENET5_INPUT_IMAGE_BYTES);
  int32_t *label = aligned_buffer(FASHION_LENET5_TARGET_LABEL_BYTES);
  float *logits = aligned_buffer(FASHION_LENET5_OUTPUT_LOGITS_BYTES);
  uint32_t *order = malloc((size_t)n_train * sizeof *order);
  if (!order)
    fail("out of memory");

  int status = nnc_init_params(&fashion_lenet5_model_info, params, seed);
  if (status != NNC_OK)
    fail("nnc_init_params: %s", nnc_status_string(status));
  status = fashion_lenet5_init_opt_state(opt_state);
  if (status != NNC_OK)
    fail("fashion_lenet5_init_opt_state: %s", nnc_status_string(status));
  nnc_hparams hparams = fashion_lenet5_default_hparams;
  if (have_lr)
    hparams.lr = (float)lr;

  float normalized[256]; /* pixel byte -> model input */
  for (int v = 0; v < 256; ++v)
    normalized[v] = ((float)v / 255.0f - PIXEL_MEAN) / PIXEL_STD;

  unsigned long long param_count = 0;
  for (uint32_t p = 0; p < fashion_lenet5_model_info.param_count; ++p)
    param_count += fashion_lenet5_model_info.params[p].numel;
  if (!quiet)
    printf("fashion_lenet5: %llu parameters; training on %u examples (batch %d, %u "
           "steps/epoch), testing on %u; lr %g; data loaded in %.1f s\n",
           param_count, (unsigned)n_train, BATCH, (unsigned)steps, (unsigned)test.count,
           (double)hparams.lr, now_seconds() - t0);
  fflush(stdout);

  for (uint32_t i = 0; i < n_train; ++i)
    order[i] = i;
  uint64_t rng = seed;
  double train_seconds = 0;
  for (unsigned long long epoch = 1; epoch <= epochs; ++epoch) {
    shuffle(order, n_train, &rng);
    double start = now_seconds(), loss_sum = 0;
    for (uint32_t step = 0; step < steps; ++step) {
      for (int b = 0; b < BATCH; ++b) {
        uint32_t k = order[(size_t)step * BATCH + (size_t)b];
        const unsigned char *pixels = train.images + (size_t)k * PIXELS;
        for (int j = 0; j < PIXELS; ++j)
          image[b * PIXELS + j] = normalized[pixels[j]];
        label[b] = train.labels[k];
      }
      float loss = 0;
      status = fashion_lenet5_train_step(params, opt_state, image, label, &hparams, &loss, scratch);
      if (status != NNC_OK)
        fail("fashion_lenet5_train_step: %s", nnc_status_string(status));
      if (!isfinite(loss))
        fail("the loss is %g at epoch %llu, step %u (is the learning rate %g too high?)",
             (double)loss, epoch, (unsigned)step + 1, (double)hparams.lr);
      loss_sum += loss;
      uint32_t done = step + 1;
      if (!quiet && (done % REPORT_EVERY == 0 || done == steps)) {
        double elapsed = now_seconds() - start;
        printf("epoch %llu/%llu  step %4u/%u  mean loss %.4f  %.0f examples/s\n", epoch, epochs,
               (unsigned)done, (unsigned)steps, loss_sum / done,
               elapsed > 0 ? (double)done * BATCH / elapsed : 0.0);
        fflush(stdout);
      }
    }
    double elapsed = now_seconds() - start;
    train_seconds += elapsed;
    if (!quiet) {
      printf("epoch %llu/%llu done: mean loss %.4f, %.1f s, %.0f examples/s\n", epoch, epochs,
             loss_sum / steps, elapsed, elapsed > 0 ? (double)steps * BATCH / elapsed : 0.0);
      fflush(stdout);
    }
  }

  /* Test accuracy: batches of 64; the last one is padded with zero images
   * whose predictions are ignored. */
  double start = now_seconds();
  uint32_t correct = 0;
  for (uint32_t first = 0; first < test.count; first += BATCH) {
    uint32_t used = test.count - first < BATCH ? test.count - first : BATCH;
    for (uint32_t b = 0; b < BATCH; ++b)
      for (int j = 0; j < PIXELS; ++j)
        image[b * PIXELS + j] =
            b < used ? normalized[test.images[(size_t)(first + b) * PIXELS + j]] : 0.0f;
    status = fashion_lenet5_infer(params, image, logits, scratch);
    if (status != NNC_OK)
      fail("fashion_lenet5_infer: %s", nnc_status_string(status));
    for (uint32_t b = 0; b < used; ++b) {
      const float *row = logits + b * CLASSES;
      int best = 0;
      for (int c = 1; c < CLASSES; ++c)
        if (row[c] > row[best])
          best = c;
      correct += best == test.labels[first + b];
    }
  }
  double test_seconds = now_seconds() - start;

  char error[512];
  status = nnc_save_safetensors(&fashion_lenet5_model_info, out_path, params, error, sizeof error);
  if (status != NNC_OK)
    fail("cannot save the parameters: %s", error);
  if (!quiet) {
    printf("training: %.1f s; test inference: %.2f s (%.0f images/s)\n", train_seconds,
           test_seconds, test_seconds > 0 ? test.count / test_seconds : 0.0);
    printf("saved the parameters to %s\n", out_path);
  }
  printf("test accuracy: %.2f%%\n", 100.0 * correct / test.count);

  free(order);
  free(params);
  free(opt_state);
  free(scratch);
  free(image);
  free(label);
  free(logits);
  free(train.images);
  free(train.labels);
  free(test.images);
  free(test.labels);
  return 0;
}

package org.computeledger.ingest;

import static org.computeledger.ingest.AllocationColumns.*;
import static org.computeledger.ingest.GpuTres.gpusOnNode;
import static org.computeledger.ingest.SacctLayout.splitAll;
import static org.computeledger.ingest.SchedulerClock.BAD_TIME;
import static org.computeledger.ingest.SchedulerClock.parseLocalTime;
import static org.computeledger.ingest.TextScan.isDigit;
import static org.computeledger.ingest.TextScan.parseWhole;
import static org.computeledger.ingest.TextScan.stripBom;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.computeledger.ingest.SacctLayout.Field;

/**
 * Ingest of Slurm accounting ({@code sacct --parsable} or {@code --parsable2}, any delimiter) into
 * the allocations table: one row per job, step or array task per node it ran on.
 *
 * <p>Columns are found by name in the header line, or, for a file written with {@code --noheader},
 * from {@link IngestParams#sacctColumns()}. Times carry no offset and are read in
 * {@link IngestParams#schedulerZone()}. User names are replaced by keyed pseudonyms; the uid in
 * {@code CANCELLED by <uid>} is dropped.
 *
 * <p>GPUs come from AllocTRES only. An empty AllocTRES (a job that never started, a pending array
 * range) gives a null gpu_count: nothing was allocated, and ReqTRES says what was asked for, not what
 * ran. A non-empty AllocTRES without any {@code gres/gpu} gives 0 (some clusters allocate GPUs by
 * partition without tracking them as TRES; that has to be resolved from node configuration later).
 * GPU indices ({@code AllocGRES}/{@code Gres}, {@code gpu:a100:4(IDX:0-3)}) are printed once per job,
 * so every node row of the job carries the same list.
 *
 * <p>The parts it reads with: {@link SacctLayout} (columns and delimiter), {@link SchedulerClock} (times),
 * {@link GpuTres} (AllocTRES), {@link SlurmHostList} (NodeList, GPU indices).
 */
public final class SacctParser extends FormatParserBase {
  private static final long serialVersionUID = 1L;

  public static final String FORMAT = "slurm-sacct";

  static final String NO_COLUMNS_REASON =
      "sacct file without a header line: pass its column list (the sacct --format fields, in order)"
          + " with --sacct-columns";

  public SacctParser() {
    super(FORMAT, AllocationColumns.TABLE);
  }

  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    try {
      for (String raw : head) {
        String line = stripBom(raw);
        if (line.isBlank()) {
          continue;
        }
        return SacctLayout.fromHeader(line) != null || looksLikeHeaderlessRecord(line);
      }
      return false;
    } catch (RuntimeException e) {
      // detection must never fail a run; a file we cannot judge is simply not ours
      return false;
    }
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink out) throws IOException {
    BufferedReader reader = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
    IngestParams params = file.params();
    PersonalFieldsMasked sink = new PersonalFieldsMasked(out, params.pseudonymKey());
    SchedulerClock clock = new SchedulerClock(params.schedulerZone());
    Map<String, String> pseudonyms = new HashMap<>();
    SacctRecords records = null;
    // headerless lines read before one showed the delimiter (its name or comment may hold extra ones)
    List<Object[]> held = new ArrayList<>();
    String headerLine = null;
    boolean firstContent = true;
    long n = 0;
    String line;
    while ((line = reader.readLine()) != null) {
      n++;
      if (n == 1) {
        line = stripBom(line);
      }
      String damage = Plausibility.textDamage(line);
      if (damage != null) {
        if (records != null) {
          records.flush();
        }
        sink.quarantine(n, damage, line);
        continue;
      }
      if (line.isBlank()) {
        if (records != null) {
          records.blank(n, line);
        } else {
          sink.ignore(n);
        }
        continue;
      }
      if (firstContent) {
        firstContent = false;
        SacctLayout header = SacctLayout.fromHeader(line);
        if (header != null) {
          records = records(header, params, clock, pseudonyms, sink);
          headerLine = line;
          sink.ignore(n);
          continue;
        }
      }
      if (headerLine != null && line.equals(headerLine)) {
        // concatenated sacct outputs repeat their header
        records.flush();
        sink.ignore(n);
        continue;
      }
      if (records == null) {
        List<String> columns = params.sacctColumns();
        if (columns == null || columns.isEmpty()) {
          sink.quarantine(n, NO_COLUMNS_REASON, line);
          continue;
        }
        SacctLayout layout = SacctLayout.fromColumns(columns, line);
        if (layout == null) {
          held.add(new Object[] {n, line});
          if (held.size() > SacctRecords.MAX_LINES) {
            Object[] oldest = held.remove(0);
            sink.quarantine((Long) oldest[0], wrongCountForColumns(columns), (String) oldest[1]);
          }
          continue;
        }
        records = records(layout, params, clock, pseudonyms, sink);
        for (Object[] h : held) {
          records.offer((Long) h[0], (String) h[1]);
        }
        held.clear();
      }
      records.offer(n, line);
    }
    if (records != null) {
      records.flush();
    }
    for (Object[] h : held) {
      sink.quarantine((Long) h[0], wrongCountForColumns(params.sacctColumns()), (String) h[1]);
    }
  }

  private static String wrongCountForColumns(List<String> columns) {
    return "wrong field count: expected the " + columns.size()
        + " fields of --sacct-columns separated by one delimiter";
  }

  /** The record joiner for a layout, handing each record to {@link #parseRecord}. */
  private static SacctRecords records(SacctLayout layout, IngestParams params, SchedulerClock clock,
      Map<String, String> pseudonyms, PersonalFieldsMasked sink) {
    sink.layout = layout;
    return new SacctRecords(layout, sink,
        (text, first) -> parseRecord(first, text, layout, params, clock, pseudonyms, sink));
  }

  /**
   * One record, step by step: its id, times, elapsed time, nodes, GPUs and GPU indices, then one row per
   * node. The first step that finds a field it cannot read rejects the record, which is quarantined
   * with that step's reason.
   */
  private static void parseRecord(long n, String line, SacctLayout layout, IngestParams params,
      SchedulerClock clock, Map<String, String> pseudonyms, RowSink sink) {
    int[] f = layout.split(line);
    if (f == null) {
      // too many fields: the delimiter inside a job name or comment, read if only one reading fits
      SacctRecovery.Reading reading = SacctRecovery.read(line, layout);
      if (reading.bounds() == null) {
        sink.quarantine(n, reading.reason(), line);
        return;
      }
      f = reading.bounds();
    }
    Record r = new Record(line, f, layout);
    try {
      String[] idParts = new String[3];
      String jobId = r.jobId(idParts);
      Times t = r.times(clock, params);
      Long elapsed = r.elapsed(t);
      Integer nodeCount = r.nodeCount();
      List<String> nodes = r.nodes();
      if (nodes == null) {
        nodes = new ArrayList<>(1);
        nodes.add(null);
      } else if (nodeCount == null) {
        nodeCount = nodes.size();
      }
      GpuTres gpus = r.gpus(nodes.size());
      String gpuIndices = r.gpuIndices();
      Object[] template = sink.newRow();
      r.fill(template, params, pseudonyms);
      template[I_JOB_ID] = jobId;
      template[I_ARRAY_JOB_ID] = idParts[0];
      template[I_ARRAY_TASK_ID] = idParts[1];
      template[I_STEP_ID] = idParts[2];
      template[I_SUBMIT] = t.submit() == null ? null : Timestamp.from(t.submit());
      template[I_START] = t.start() == null ? null : Timestamp.from(t.start());
      template[I_END] = t.end() == null ? null : Timestamp.from(t.end());
      template[I_ELAPSED] = elapsed;
      template[I_NODE_COUNT] = nodeCount;
      template[I_GPU_MODEL] = gpus == null ? null : gpus.model;
      template[I_GPU_INDICES] = gpuIndices;
      emitPerNode(n, template, nodes, gpus, sink);
    } catch (Rejected e) {
      sink.quarantine(n, e.getMessage(), line);
    }
  }

  /** One row per node of the job, each with its share of the job's GPUs (also Slurm JSON's). */
  static void emitPerNode(long n, Object[] template, List<String> nodes, GpuTres gpus, RowSink sink) {
    int k = nodes.size();
    for (int i = 0; i < k; i++) {
      Object[] row = i == k - 1 ? template : template.clone();
      row[I_NODE] = nodes.get(i);
      row[I_GPU_COUNT] = gpus == null ? null : gpusOnNode(gpus.total, k, i);
      sink.emit(n, row);
    }
    sink.recordAccepted();
  }

  /** Submit, start and end of a record as instants; each may be null (Unknown, None). */
  private record Times(Instant submit, Instant start, Instant end) {}

  /** A split sacct line and the steps that read its fields. */
  private record Record(String line, int[] f, SacctLayout layout) {
    String get(Field field) {
      return layout.get(line, f, field);
    }

    /** The job id (JobID, else JobIDRaw), split into array job, array task and step. */
    String jobId(String[] idParts) throws Rejected {
      String jobId = get(Field.JOBID);
      if (jobId == null) {
        jobId = get(Field.JOBIDRAW);
      }
      if (jobId == null || !splitJobId(jobId, idParts)) {
        throw new Rejected("field JobID: expected a Slurm job id like 123, 123_4, 123_[1-3] or 123.batch, '"
            + (jobId == null ? "" : jobId) + "'");
      }
      return jobId;
    }

    Times times(SchedulerClock clock, IngestParams params) throws Rejected {
      LocalDateTime submit = parseLocalTime(get(Field.SUBMIT));
      LocalDateTime start = parseLocalTime(get(Field.START));
      LocalDateTime end = parseLocalTime(get(Field.END));
      Field badTime = submit == BAD_TIME ? Field.SUBMIT : start == BAD_TIME ? Field.START
          : end == BAD_TIME ? Field.END : null;
      if (badTime != null) {
        throw new Rejected("field " + layout.name(badTime) + ": expected an ISO time like 2023-08-31T12:29:47,"
            + " Unknown or None, '" + get(badTime) + "'");
      }
      Instant submitAt = clock.toInstant(submit);
      Instant startAt = clock.toInstant(start);
      Instant endAt = clock.toInstant(end);
      for (Field t : new Field[] {Field.SUBMIT, Field.START, Field.END}) {
        Instant at = t == Field.SUBMIT ? submitAt : t == Field.START ? startAt : endAt;
        String implausible = at == null ? null : Plausibility.implausibleTime(layout.name(t), at, get(t), params);
        if (implausible != null) {
          throw new Rejected(implausible);
        }
      }
      if (startAt != null && endAt != null && endAt.isBefore(startAt)) {
        // Across the autumn fall-back hour a job can end at an earlier wall-clock time than it started;
        // only the later offset makes such an End consistent, so it is taken there.
        Instant later = clock.toInstantLaterOffset(end);
        if (later.isBefore(startAt)) {
          throw new Rejected("negative duration: End '" + get(Field.END) + "' is before Start '"
              + get(Field.START) + "'");
        }
        endAt = later;
      }
      return new Times(submitAt, startAt, endAt);
    }

    /** Elapsed seconds as sacct gives them; without the column, end - start; else null. */
    Long elapsed(Times t) throws Rejected {
      String elapsedText = get(Field.ELAPSED);
      if (elapsedText != null) {
        long s = parseElapsed(elapsedText);
        if (s < 0) {
          throw new Rejected("field Elapsed: expected [D-]HH:MM:SS or MM:SS[.mmm], '" + elapsedText + "'");
        }
        return s;
      }
      if (!layout.has(Field.ELAPSED) && t.start() != null && t.end() != null) {
        return t.end().getEpochSecond() - t.start().getEpochSecond();
      }
      return null;
    }

    Integer nodeCount() throws Rejected {
      String nnodes = get(Field.NNODES);
      if (nnodes == null) {
        return null;
      }
      long v = parseWhole(nnodes);
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new Rejected("field NNodes: expected a whole number of nodes, '" + nnodes + "'");
      }
      return (int) v;
    }

    /** The job's hosts from NodeList; null when none was assigned. */
    List<String> nodes() throws Rejected {
      String nodeList = get(Field.NODELIST);
      if (nodeList == null || nodeList.equals("None assigned")) {
        return null;
      }
      List<String> nodes = SlurmHostList.expand(nodeList);
      if (nodes == null) {
        throw new Rejected("field NodeList: expected a Slurm host list like node[01-04],gpu7, '" + nodeList + "'");
      }
      return nodes;
    }

    /** The job's GPUs from AllocTRES (null when it names none), no more per node than is plausible. */
    GpuTres gpus(int nodeCount) throws Rejected {
      String allocTres = get(Field.ALLOCTRES);
      GpuTres gpus = GpuTres.parse(allocTres);
      if (gpus == GpuTres.BAD) {
        throw new Rejected("field AllocTRES: expected whole GPU counts in gres/gpu=N or gres/gpu:TYPE=N, '"
            + allocTres + "'");
      }
      if (gpus != null && (gpus.total + nodeCount - 1) / nodeCount > Plausibility.MAX_GPUS_PER_NODE) {
        throw new Rejected("field AllocTRES: " + gpus.total + " GPUs on " + nodeCount + " node(s) is more than "
            + Plausibility.MAX_GPUS_PER_NODE + " per node, the plausible limit");
      }
      return gpus;
    }

    /** GPU indices from AllocGRES (or Gres), null when the record gives none. */
    String gpuIndices() throws Rejected {
      Field gresColumn = layout.has(Field.ALLOCGRES) ? Field.ALLOCGRES : Field.GRES;
      String gres = get(gresColumn);
      if (gres == null) {
        return null;
      }
      String indices = SacctParser.gpuIndices(gres);
      if (indices != null && indices.isEmpty()) {
        throw new Rejected("field " + layout.name(gresColumn) + ": expected gpu[:TYPE]:N(IDX:0-3), '" + gres + "'");
      }
      return indices;
    }

    /** The fields copied as they are, and the user as a pseudonym. */
    void fill(Object[] row, IngestParams params, Map<String, String> pseudonyms) {
      String user = get(Field.USER);
      String cluster = get(Field.CLUSTER);
      row[I_CLUSTER] = cluster != null ? cluster : params.cluster();
      row[I_USER_HASH] = user == null ? null
          : pseudonyms.computeIfAbsent(user, u -> Pseudonyms.user(params.pseudonymKey(), u));
      row[I_ACCOUNT] = get(Field.ACCOUNT);
      row[I_PARTITION] = get(Field.PARTITION);
      row[I_WCKEY] = wckey(get(Field.WCKEY));
      row[I_COMMENT] = get(Field.COMMENT);
      row[I_JOB_NAME] = get(Field.JOBNAME);
      row[I_STATE] = state(get(Field.STATE));
      row[I_JOB_ID_RAW] = get(Field.JOBIDRAW);
      row[I_LABELS] = Map.of();
    }
  }

  /**
   * The WCKey without the {@code *} sacct puts before a key the job got as its user's default
   * (the JSON export has the bare key and an ASSIGNED_DEFAULT flag instead), so both match the registry.
   */
  static String wckey(String printed) {
    if (printed == null || !printed.startsWith("*")) {
      return printed;
    }
    return printed.length() == 1 ? null : printed.substring(1);
  }

  /** The state word without Slurm's {@code by <uid>} suffix: that is who cancelled, a uid, not a state. */
  static String state(String printed) {
    if (printed == null) {
      return null;
    }
    int space = printed.indexOf(' ');
    return space < 0 ? printed : printed.substring(0, space);
  }

  // ---------------------------------------------------------------- job ids

  /**
   * Splits a printed JobID into {@code out = {array_job_id, array_task_id, step_id}}. Accepts
   * {@code 123}, {@code 123_4}, {@code 123_[9-11,13]} (a pending array range, kept with its brackets),
   * {@code 123+0} (a heterogeneous job component) and any of these followed by {@code .step}.
   */
  static boolean splitJobId(String id, String[] out) {
    int len = id.length();
    int i = 0;
    while (i < len && isDigit(id.charAt(i))) {
      i++;
    }
    if (i == 0) {
      return false;
    }
    out[0] = id.substring(0, i);
    out[1] = null;
    out[2] = null;
    if (i < len && id.charAt(i) == '_') {
      int taskStart = ++i;
      if (i < len && id.charAt(i) == '[') {
        int close = id.indexOf(']', i);
        if (close < 0 || close == i + 1) {
          return false;
        }
        i = close + 1;
      } else {
        while (i < len && isDigit(id.charAt(i))) {
          i++;
        }
        if (i == taskStart) {
          return false;
        }
      }
      out[1] = id.substring(taskStart, i);
    }
    if (i < len && id.charAt(i) == '+') {
      int compStart = ++i;
      while (i < len && isDigit(id.charAt(i))) {
        i++;
      }
      if (i == compStart) {
        return false;
      }
    }
    if (i < len && id.charAt(i) == '.') {
      int stepStart = ++i;
      while (i < len && (Character.isLetterOrDigit(id.charAt(i)) || id.charAt(i) == '+')) {
        i++;
      }
      if (i == stepStart) {
        return false;
      }
      out[2] = id.substring(stepStart, i);
    }
    return i == len;
  }

  // ---------------------------------------------------------------- elapsed time

  /**
   * Seconds of an elapsed time as sacct prints it: {@code [D-]HH:MM:SS}, {@code MM:SS} or with
   * milliseconds ({@code 00:02.617}, truncated to whole seconds); -1 when it is none of these.
   */
  static long parseElapsed(String s) {
    int len = s.length();
    long days = 0;
    int i = 0;
    int dash = s.indexOf('-');
    if (dash >= 0) {
      days = parseWhole(s.substring(0, dash));
      if (days < 0) {
        return -1;
      }
      i = dash + 1;
    }
    int dot = s.indexOf('.', i);
    int clockEnd = dot < 0 ? len : dot;
    if (dot >= 0 && (dot == len - 1 || parseWhole(s.substring(dot + 1)) < 0)) {
      return -1;
    }
    long[] parts = new long[3];
    int count = 0;
    int fieldStart = i;
    for (int p = i; p <= clockEnd; p++) {
      if (p == clockEnd || s.charAt(p) == ':') {
        if (count == 3 || p == fieldStart) {
          return -1;
        }
        long v = parseWhole(s.substring(fieldStart, p));
        if (v < 0) {
          return -1;
        }
        parts[count++] = v;
        fieldStart = p + 1;
      }
    }
    if (count < 2 || (dash >= 0 && count != 3)) {
      return -1;
    }
    long h = count == 3 ? parts[0] : 0;
    long m = parts[count - 2];
    long sec = parts[count - 1];
    if (m > 59 || sec > 59) {
      return -1;
    }
    return days * 86_400 + h * 3_600 + m * 60 + sec;
  }

  /**
   * GPU indices from a GRES value such as {@code gpu:a100:4(IDX:0-3)}, expanded to {@code 0,1,2,3};
   * null when the value names no indices (or {@code IDX:N/A}), the empty string when malformed.
   */
  static String gpuIndices(String gres) {
    int gpu = gres.indexOf("gpu");
    if (gpu < 0) {
      return null;
    }
    int idx = gres.indexOf("(IDX:", gpu);
    if (idx < 0) {
      return null;
    }
    int close = gres.indexOf(')', idx);
    if (close < 0) {
      return "";
    }
    String spec = gres.substring(idx + 5, close);
    if (spec.equals("N/A")) {
      return null;
    }
    List<String> values = SlurmHostList.expandRanges(spec);
    if (values == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(Long.parseLong(v));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- privacy of quarantined lines

  /** Columns whose values name or locate a person; masked in the raw text of a quarantined line. */
  static final List<String> PERSONAL_COLUMNS =
      List.of("user", "uid", "group", "gid", "workdir", "submitline", "stdout", "stderr", "stdin");

  /** What replaces a personal value that is not the user name (which becomes its pseudonym). */
  static final String MASK = "<masked>";

  /**
   * The sink a parse writes to: the raw text of every quarantined line has its personal fields
   * masked, so the quarantine names no person (PRODUCT.md §8). With a known layout, the user becomes
   * its pseudonym and the other {@link #PERSONAL_COLUMNS} {@link #MASK}; when a line has extra
   * fields, every position the field could have shifted to is masked. Without a layout (a headerless
   * file and no --sacct-columns) only the leading job id is kept. {@code CANCELLED by <uid>} loses its uid.
   */
  static final class PersonalFieldsMasked extends RawMaskingSink {
    private final String key;
    SacctLayout layout;

    PersonalFieldsMasked(RowSink out, String key) {
      super(out);
      this.key = key;
    }

    @Override
    String mask(String raw) {
      return mask(raw, layout, key);
    }

    static String mask(String raw, SacctLayout layout, String key) {
      if (raw == null) {
        return null;
      }
      if (layout == null) {
        int i = 0;
        while (i < raw.length() && (Character.isLetterOrDigit(raw.charAt(i)) || "_.[]-+,".indexOf(raw.charAt(i)) >= 0)) {
          i++;
        }
        return raw.substring(0, i) + (i < raw.length() ? " " + MASK + " (the rest of the line: its columns are"
            + " unknown, so it may name a person)" : "");
      }
      List<String> fields = splitAll(raw, layout.delimiter);
      int extra = Math.max(0, layout.countFields(raw) - layout.names.length);
      for (int i = 0; i < layout.names.length; i++) {
        String name = layout.names[i].strip().toLowerCase(Locale.ROOT);
        int pct = name.indexOf('%');
        if (!PERSONAL_COLUMNS.contains(pct >= 0 ? name.substring(0, pct) : name)) {
          continue;
        }
        boolean user = name.startsWith("user");
        for (int k = i; k <= i + extra && k < fields.size(); k++) {
          String v = fields.get(k);
          if (!v.isEmpty()) {
            fields.set(k, user && extra == 0 ? Pseudonyms.user(key, v) : MASK);
          }
        }
      }
      return CANCELLED_BY.matcher(String.join(layout.delimiter, fields)).replaceAll("$1 " + MASK);
    }
  }

  private static final java.util.regex.Pattern CANCELLED_BY =
      java.util.regex.Pattern.compile("(CANCELLED by) [0-9]+");

  /**
   * Whether a line without header reads as a sacct record: it opens with a Slurm job id followed by a
   * delimiter that is no character of a job id or time, and holds an offset-free ISO time ending at
   * that same delimiter or at the end of the line.
   */
  static boolean looksLikeHeaderlessRecord(String line) {
    int len = line.length();
    int i = 0;
    while (i < len && !isDelimiterCandidate(line, i)) {
      i++;
    }
    if (i == 0 || i >= len) {
      return false;
    }
    if (!splitJobId(line.substring(0, i), new String[3])) {
      return false;
    }
    int cp = line.codePointAt(i);
    String delimiter = new String(Character.toChars(cp));
    for (int t = line.indexOf('T', i); t >= 0; t = line.indexOf('T', t + 1)) {
      int from = t - 10;
      if (from <= i) {
        continue;
      }
      int to = from + 19;
      if (to <= len && parseLocalTime(line.substring(from, to)) != BAD_TIME
          && (to == len || line.startsWith(delimiter, to)) && (from == 0 || line.startsWith(delimiter,
              from - delimiter.length()))) {
        return true;
      }
    }
    return false;
  }

  /** A position that can start a headerless delimiter: nothing a job id, time or host name uses. */
  private static boolean isDelimiterCandidate(String line, int i) {
    char c = line.charAt(i);
    return !Character.isLetterOrDigit(c) && "-:._+[],/ ".indexOf(c) < 0;
  }

  @Override
  public boolean endsEveryLine() {
    return true;
  }
}

package org.computeledger.attribute;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.get;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.computeledger.attribute.Registry.Branch;
import org.computeledger.attribute.Registry.K8sRule;
import org.computeledger.attribute.Registry.Match;
import org.computeledger.attribute.Registry.ProjectBranch;
import org.computeledger.attribute.Registry.SlurmRule;
import org.computeledger.schema.Allocations;
import org.computeledger.common.ColumnSteps;

/**
 * First step of attribution: gives every allocation the project and branch whose match rule it
 * satisfies, so that later steps can sum GPU-seconds, FLOP and cost per branch. Jobs that match
 * nothing are kept under {@value #UNATTRIBUTED}, never dropped (PRODUCT.md §5).
 */
public final class BranchAssignment {
  public static final String PROJECT = "project";
  public static final String BRANCH = "branch";
  /** The branches a job matched when it matched more than one, {@code "p/a, p/b"}; else null. */
  public static final String MATCH_CONFLICT = "match_conflict";
  public static final String UNATTRIBUTED = RegistryParser.RESERVED_ID;

  /** {@code source_format} of the rows Slurm rules apply to; the sacct parser's format id. */
  public static final String SLURM_FORMAT = "slurm-sacct";
  /** {@code source_format} of the rows Kubernetes rules apply to; the pod-list parser's format id. */
  public static final String K8S_FORMAT = "k8s-pods";
  /**
   * Allocations has no namespace column: the pod-list parser puts a pod's namespace in
   * {@code account}, its nearest Slurm counterpart (the unit a cluster's quota is granted to).
   */
  public static final String K8S_NAMESPACE_COLUMN = Allocations.ACCOUNT;

  /** Columns of {@link #branchesTable}: what the report says about each branch. */
  public static final StructType BRANCHES_SCHEMA = StructType.fromDDL(
      "project STRING NOT NULL, branch STRING NOT NULL, activity STRING, status STRING,"
          + " description STRING, risk_only BOOLEAN NOT NULL, justification STRING");

  private static final String HITS = "_branch_hits";

  private BranchAssignment() {}

  /**
   * Adds {@value #PROJECT}, {@value #BRANCH} and {@value #MATCH_CONFLICT} to allocation rows. A row
   * that satisfies several rules goes to the first in registry order and lists all of them in
   * {@value #MATCH_CONFLICT}, so one ambiguous rule cannot fail a months-long run; the conflicts are
   * reported instead.
   *
   * <p>Each rule is a Column expression evaluated once per row, into an array of the indices of the
   * rules that hold; project, branch and conflict are then read from that array, so a registry with
   * many branches costs one pass over the rules and no UDF.
   */
  public static Dataset<Row> assignBranches(Dataset<Row> allocations, Registry registry) {
    List<ProjectBranch> branches = registry.branches();
    Column[] hitIfMatched = new Column[branches.size()];
    for (int i = 0; i < branches.size(); i++) {
      hitIfMatched[i] = when(matches(branches.get(i).branch().match()), lit(i));
    }
    Column projects = literalArray(branches, pb -> pb.project().id());
    Column branchIds = literalArray(branches, pb -> pb.branch().id());
    Column labels = literalArray(branches, ProjectBranch::label);

    Column hits = col(HITS);
    Column first = get(hits, lit(0));
    return ColumnSteps.steps()
        .set(HITS, array_compact(array(hitIfMatched)))
        .set(PROJECT, coalesce(get(projects, first), lit(UNATTRIBUTED)))
        .set(BRANCH, coalesce(get(branchIds, first), lit(UNATTRIBUTED)))
        .set(MATCH_CONFLICT,
            when(size(hits).gt(1), concat_ws(", ", transform(hits, i -> get(labels, i)))))
        .applyTo(allocations)
        .drop(HITS);
  }

  /** One row per branch of the registry, plus the {@value #UNATTRIBUTED} pseudo-branch. */
  public static Dataset<Row> branchesTable(SparkSession spark, Registry registry) {
    List<Row> rows = new ArrayList<>();
    for (ProjectBranch pb : registry.branches()) {
      Branch b = pb.branch();
      rows.add(RowFactory.create(pb.project().id(), b.id(), b.activity().yamlName(),
          b.status().yamlName(), b.description(), b.riskOnly(), b.justification()));
    }
    rows.add(RowFactory.create(UNATTRIBUTED, UNATTRIBUTED, null, null,
        "Jobs that matched no branch of the registry", false, null));
    return spark.createDataFrame(rows, BRANCHES_SCHEMA);
  }

  /** True exactly when the row satisfies the rule; never null, so a null field is a non-match. */
  static Column matches(Match match) {
    Column result = lit(false);
    if (match.slurm() != null) {
      result = result.or(coalesce(slurmMatches(match.slurm()), lit(false)));
    }
    if (match.k8s() != null) {
      result = result.or(coalesce(k8sMatches(match.k8s()), lit(false)));
    }
    return result;
  }

  private static Column slurmMatches(SlurmRule rule) {
    Column c = col(Allocations.SOURCE_FORMAT).equalTo(SLURM_FORMAT);
    c = andEquals(c, Allocations.ACCOUNT, rule.account());
    c = andEquals(c, Allocations.WCKEY, rule.wckey());
    c = andEquals(c, Allocations.PARTITION, rule.partition());
    c = andEquals(c, Allocations.JOB_NAME, rule.jobName());
    if (rule.comment() != null) {
      // Slurm comments are free text ("branch=refusal-tuning;seed=3"): the rule names a part of it.
      c = c.and(col(Allocations.COMMENT).contains(rule.comment()));
    }
    return c;
  }

  private static Column k8sMatches(K8sRule rule) {
    Column c = col(Allocations.SOURCE_FORMAT).equalTo(K8S_FORMAT);
    c = andEquals(c, K8S_NAMESPACE_COLUMN, rule.namespace());
    // sorted so that the same registry always yields the same plan
    for (Map.Entry<String, String> label : new TreeMap<>(rule.labels()).entrySet()) {
      c = c.and(col(Allocations.LABELS).getItem(label.getKey()).equalTo(label.getValue()));
    }
    return c;
  }

  private static Column andEquals(Column c, String column, String value) {
    return value == null ? c : c.and(col(column).equalTo(value));
  }

  private static Column literalArray(List<ProjectBranch> branches, Function<ProjectBranch, String> f) {
    Column[] values = new Column[branches.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = lit(f.apply(branches.get(i)));
    }
    return array(values);
  }
}

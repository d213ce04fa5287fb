package org.computeledger.attribute;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the developer declares it is building ({@code registry.yaml}, PRODUCT.md §5): projects,
 * their branches with the rules that map scheduler jobs onto them, and the projects and open
 * resources each project relies on. Attribution reads it; the standards read its exemptions and
 * lineage. {@link #load} and {@link #parse} return only registries that passed every check.
 */
public record Registry(String developer, List<Project> projects, DeveloperRevenue revenue) {

  public Registry {
    projects = List.copyOf(projects);
  }

  public Registry(String developer, List<Project> projects) {
    this(developer, projects, null);
  }

  /**
   * The developer's annual gross revenue together with its affiliates, for one calendar year
   * ({@code developer_revenue}, optional): not compute, but some laws add it to the compute finding
   * (RAISE 2026 and SB 53 "large frontier developer").
   */
  public record DeveloperRevenue(java.math.BigDecimal annualGross, String currency, int year) {}

  /**
   * What the registry says of a branch's model, for the architecture cross-check (6·N·D): parameters
   * ({@code activeParameters} for a mixture of experts: those active per token), training tokens per
   * epoch and epochs.
   */
  public record Architecture(double parameters, double tokens, double epochs, boolean activeParameters) {
    /** Training tokens over all epochs. */
    public double totalTokens() {
      return tokens * epochs;
    }
  }

  /** Reads and validates a registry file; every problem is a {@link RegistryException}. */
  public static Registry load(Path file) {
    String text;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      text = org.computeledger.common.UntrustedInput.readText(in, file.toString(),
          org.computeledger.common.UntrustedInput.REGISTRY_MAX_BYTES);
    } catch (org.computeledger.common.LedgerException e) {
      throw new RegistryException(e.getMessage(), e);
    } catch (IOException e) {
      throw new RegistryException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  /** Parses and validates registry text; {@code fileName} only prefixes error messages. */
  public static Registry parse(String yamlText, String fileName) {
    // editors on Windows save YAML with a byte-order mark, which is not YAML
    String text = yamlText.startsWith("\uFEFF") ? yamlText.substring(1) : yamlText;
    return RegistryParser.parse(text, fileName);
  }

  public Optional<Project> project(String id) {
    return projects.stream().filter(p -> p.id().equals(id)).findFirst();
  }

  /** Every branch with its project, in registry order: the order in which match rules take precedence. */
  public List<ProjectBranch> branches() {
    List<ProjectBranch> all = new ArrayList<>();
    for (Project p : projects) {
      for (Branch b : p.branches()) {
        all.add(new ProjectBranch(p, b));
      }
    }
    return all;
  }

  /**
   * Branches that claim the risk-only exemption (P3) without a written justification. They are
   * not an error: the exemption is simply not granted, the compute counts, and the standards
   * stage reports them.
   */
  public List<ProjectBranch> riskOnlyWithoutJustification() {
    return branches().stream()
        .filter(pb -> pb.branch().riskOnly() && !pb.branch().hasJustification())
        .collect(Collectors.toList());
  }

  /** A model under development: the object of accounting. */
  public record Project(
      String id,
      LocalDate developmentStart,
      Precision precision,
      List<Branch> branches,
      List<Use> uses,
      List<String> generates) {
    public Project {
      branches = List.copyOf(branches);
      uses = List.copyOf(uses);
      generates = generates == null ? List.of() : List.copyOf(generates);
    }

    public Project(String id, LocalDate developmentStart, Precision precision, List<Branch> branches, List<Use> uses) {
      this(id, developmentStart, precision, branches, uses, List.of());
    }
  }

  /**
   * One line of work inside a project. {@code status} is {@link Status#KEPT} when the registry
   * leaves it out, as the §5 example does; {@code description} and {@code justification} may be null.
   * {@code dataPublished}: a synthetic-data branch whose generated data is publicly accessible (the EU
   * guidelines need not count it); {@code architecture} is for the 6·N·D cross-check, null when not given.
   */
  public record Branch(
      String id,
      Activity activity,
      Status status,
      String description,
      boolean riskOnly,
      String justification,
      Match match,
      Architecture architecture,
      boolean dataPublished) {

    public Branch(String id, Activity activity, Status status, String description, boolean riskOnly,
        String justification, Match match) {
      this(id, activity, status, description, riskOnly, justification, match, null, false);
    }

    public boolean hasJustification() {
      return justification != null && !justification.isBlank();
    }
  }

  /**
   * How jobs are recognised as a branch's: a Slurm rule for sacct rows, a Kubernetes rule for
   * pods, or both. At least one is present and neither is empty.
   */
  public record Match(SlurmRule slurm, K8sRule k8s) {}

  /**
   * Fields of a Slurm job that must all hold (null means "any"). {@code comment} is a substring of
   * the job's free-text comment; the others are equal to the job's field. There is no user field:
   * users are pseudonymized before attribution, so a rule on a user name could never match.
   */
  public record SlurmRule(
      String account, String wckey, String comment, String partition, String jobName) {}

  /** Labels the pod must carry (a subset of its labels), and its namespace when given. */
  public record K8sRule(Map<String, String> labels, String namespace) {
    public K8sRule {
      labels = Map.copyOf(labels);
    }
  }

  /**
   * Something a project relies on. Either another project of this developer, counted as activity
   * {@code as} (a distillation teacher, P1), or a named {@code resource}: open resources are
   * excluded (P2) unless this developer released them shortly before, in which case
   * {@code project} names the project whose compute then counts. {@code open} is null for a
   * project use; release fields are null when not given. {@code baseModel}: the project modifies this
   * model (continues its training, fine-tunes it), with the original's training compute and whether it
   * is presumed to have systemic risk when the registry knows them (the EU one-third rule).
   */
  public record Use(
      String project,
      Activity as,
      String resource,
      Boolean open,
      String releasedBy,
      LocalDate releasedOn,
      boolean baseModel,
      Double originalTrainingFlop,
      Boolean originalSystemicRisk) {

    public Use(String project, Activity as, String resource, Boolean open, String releasedBy, LocalDate releasedOn) {
      this(project, as, resource, open, releasedBy, releasedOn, false, null, null);
    }

    public boolean isResource() {
      return resource != null;
    }
  }

  /** A branch together with the project it belongs to. */
  public record ProjectBranch(Project project, Branch branch) {
    /** {@code project/branch}, the way reports and conflict lists name a branch. */
    public String label() {
      return project.id() + "/" + branch.id();
    }
  }

  /** What a branch does, in the words of the accounting principles (P1). */
  public enum Activity implements YamlNamed {
    DATA_CURATION("data-curation"),
    SYNTHETIC_DATA("synthetic-data"),
    PRETRAINING("pretraining"),
    FINE_TUNING("fine-tuning"),
    RL("rl"),
    EVALUATION("evaluation"),
    RED_TEAMING("red-teaming"),
    DISTILLATION_TEACHER("distillation-teacher"),
    RESEARCH("research");

    private final String yamlName;

    Activity(String yamlName) {
      this.yamlName = yamlName;
    }

    /** The spelling used in the registry and in every output table. */
    @Override
    public String yamlName() {
      return yamlName;
    }
  }

  /** Whether a branch's result went into the model; discarded branches still count (P1). */
  public enum Status implements YamlNamed {
    KEPT("kept"),
    DISCARDED("discarded");

    private final String yamlName;

    Status(String yamlName) {
      this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
      return yamlName;
    }
  }

  /** A project's default arithmetic precision, which picks the dense peak for its estimates. */
  public enum Precision implements YamlNamed {
    BF16("bf16"),
    FP16("fp16"),
    FP8("fp8"),
    TF32("tf32"),
    FP32("fp32"),
    FP64("fp64");

    private final String yamlName;

    Precision(String yamlName) {
      this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
      return yamlName;
    }
  }

  /** The registry spelling of an enum constant; lets the parser read and list any of them. */
  interface YamlNamed {
    String yamlName();
  }
}

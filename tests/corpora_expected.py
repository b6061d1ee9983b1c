"""How a person reads each file of the real decision logs in ``../shared/adr-corpora/``.

Written by hand, file by file, from reading the files (never from a parser's output). Each
corpus maps a file name to ``(id, status, successor, title)``:

* ``id``: ``ADR-NNNN`` from the leading number of the file name; files that share a number
  share the id. Files without a leading number (log4brains' ``YYYYMMDD-slug.md``, odd names)
  keep their file stem as id.
* ``status``: one of proposed, accepted, rejected, deprecated, superseded, unknown (nothing
  written, or a word that means none of these). Synonyms are read as issue 10 lists them
  (``approved`` is accepted, ``draft``/``in progress`` are proposed, ...).
* ``successor``: the id of the superseding ADR, or None.
* ``title``: the text a reader sees as the title: the front matter ``title:``, else the ``# ``
  heading, without an ``N. `` / ``ADR001:`` prefix and without inline Markdown (backticks, bold).
  A file without any title keeps its file stem as title, as the README says.

``NOT_ADRS`` lists, per corpus, the files that are not decisions (templates, index, README,
tables of contents): they must not be listed. Comments mark the readings that are judgement
calls.
"""

from __future__ import annotations

Reading = tuple[str, str, str | None, str]  # id, status, successor id, title

A, P, R, S, U = "accepted", "proposed", "rejected", "superseded", "unknown"

# npryce/adr-tools, doc/adr: "# N. Title", "Date:", "## Status" then "Accepted". 0005/0009
# amend each other ("Amended by", "Amends"): an amendment is not a supersede, both stay accepted.
ADR_TOOLS: dict[str, Reading] = {
    "0001-record-architecture-decisions.md": (
        "ADR-0001",
        A,
        None,
        "Record architecture decisions",
    ),
    "0002-implement-as-shell-scripts.md": ("ADR-0002", A, None, "Implement as shell scripts"),
    "0003-single-command-with-subcommands.md": (
        "ADR-0003",
        A,
        None,
        "Single command with subcommands",
    ),
    "0004-markdown-format.md": ("ADR-0004", A, None, "Markdown format"),
    "0005-help-comments.md": ("ADR-0005", A, None, "Help comments"),
    "0006-packaging-and-distribution-in-other-version-control-repositories.md": (
        "ADR-0006",
        A,
        None,
        "Packaging and distribution in other version control repositories",
    ),
    "0007-invoke-adr-config-executable-to-get-configuration.md": (
        "ADR-0007",
        A,
        None,
        "Invoke adr-config executable to get configuration",
    ),
    "0008-use-iso-8601-format-for-dates.md": ("ADR-0008", A, None, "Use ISO 8601 Format for Dates"),
    "0009-help-scripts.md": ("ADR-0009", A, None, "Help scripts"),
}

# adr/madr, docs/decisions: Jekyll front matter (parent, nav_order) and no status, except 0003.
# The "status: on hold" / "status: accepted" lines in 0008 and 0013 are inside ```markdown
# examples, not metadata.
MADR: dict[str, Reading] = {
    "0000-use-markdown-architectural-decision-records.md": (
        "ADR-0000",
        U,
        None,
        "Use Markdown Architectural Decision Records",
    ),
    "0001-use-CC0-or-MIT-as-license.md": ("ADR-0001", U, None, "Dual License the Work"),
    "0002-do-not-use-numbers-in-headings.md": (
        "ADR-0002",
        U,
        None,
        "Do Not Use Numbers in Headings",
    ),
    # "status: on hold": judgement call, read as proposed. The decision was put aside before it
    # was taken: it is not in force (so not accepted), nobody decided against it (not rejected),
    # and it never was in force (not deprecated); it may be taken up again, like "Pending".
    "0003-provide-own-madr-tools.md": ("ADR-0003", P, None, "Write Own MADR Tooling"),
    "0004-write-own-toc-tool.md": ("ADR-0004", U, None, "Write Own TOC Tool"),
    "0005-use-dashes-in-filenames.md": ("ADR-0005", U, None, "Use Dashes in Filenames"),
    "0006-use-names-as-identifier.md": ("ADR-0006", U, None, "Use Names as Identifier"),
    "0007-do-not-emphasize-line-headings.md": (
        "ADR-0007",
        U,
        None,
        "Do Not Emphasize Line Headings",
    ),
    "0008-add-status-field.md": ("ADR-0008", U, None, "Add Status Field"),
    "0009-support-links-between-adrs-inside-an-adrs.md": (
        "ADR-0009",
        U,
        None,
        "Support Links To Other ADRs Inside an ADR",
    ),
    "0010-support-categories.md": ("ADR-0010", U, None, "Support Categories"),
    "0011-use-asterisk-as-list-marker.md": ("ADR-0011", U, None, "Use Asterisk as List Marker"),
    "0012-use-curly-braces-to-denote-placeholder.md": (
        "ADR-0012",
        U,
        None,
        "Use Curly Braces to Denote Placeholders",
    ),
    "0013-use-yaml-front-matter-for-meta-data.md": (
        "ADR-0013",
        U,
        None,
        "Use YAML front matter for metadata",
    ),
    "0014-allow-neutral-arguments.md": ("ADR-0014", U, None, 'Allow "neutral" arguments'),
    "0015-include-consulting-informed-of-raci.md": (
        "ADR-0015",
        U,
        None,
        'Include "Consulted" and "Informed" of RACI',
    ),
    "0016-outcome-before-detailed-pros-cons.md": (
        "ADR-0016",
        U,
        None,
        "Outcome before Detailed Pros and Cons",
    ),
    "0017-use-same-format-for-outcomes-and-options.md": (
        "ADR-0017",
        U,
        None,
        "Use Same Format for Outcomes and Options",
    ),
    "0018-use-confirmation-as-heading.md": ("ADR-0018", U, None, 'Use "Confirmation" as Heading'),
}

# thomvaill/log4brains: "- Status: ..." bullets, dated or odd file names (ids are stems).
LOG4BRAINS: dict[str, Reading] = {
    "20200101-first-adr.md": ("20200101-first-adr", A, None, "First ADR"),
    # only "- Date:", no status line
    "20200102-adr-only-with-date.md": (
        "20200102-adr-only-with-date",
        U,
        None,
        "ADR only with date",
    ),
    # an intro paragraph between the title and the bullets
    "20200102-adr-with-intro.md": ("20200102-adr-with-intro", A, None, "ADR with intro"),
    "20200102-adr-without-status.md": (
        "20200102-adr-without-status",
        U,
        None,
        "ADR without status",
    ),
    # no "# " line at all: the stem is the title
    "20200102-adr-without-title.md": (
        "20200102-adr-without-title",
        U,
        None,
        "20200102-adr-without-title",
    ),
    "20200924-use-markdown-architectural-decision-records.md": (
        "20200924-use-markdown-architectural-decision-records",
        A,
        None,
        "Use Markdown Architectural Decision Records",
    ),
    "20200925-multi-packages-architecture-in-a-monorepo-with-yarn-and-lerna.md": (
        "20200925-multi-packages-architecture-in-a-monorepo-with-yarn-and-lerna",
        A,
        None,
        "Multi-packages architecture in a monorepo with Yarn and Lerna",
    ),
    "20200925-use-prettier-eslint-airbnb-for-the-code-style.md": (
        "20200925-use-prettier-eslint-airbnb-for-the-code-style",
        A,
        None,
        "Use Prettier-ESLint Airbnb for the code style",
    ),
    "20200926-use-the-adr-number-as-its-unique-id.md": (
        "20200926-use-the-adr-number-as-its-unique-id",
        S,
        "20201016-use-the-adr-slug-as-its-unique-id",
        "Use the ADR number as its unique ID",
    ),
    "20200927-avoid-default-exports.md": (
        "20200927-avoid-default-exports",
        A,
        None,
        "Avoid default exports",
    ),
    "20201016-use-the-adr-slug-as-its-unique-id.md": (
        "20201016-use-the-adr-slug-as-its-unique-id",
        A,
        None,
        "Use the ADR slug as its unique ID",
    ),
    "20201026-the-core-api-is-responsible-for-enhancing-the-adr-markdown-body-with-mdx.md": (
        "20201026-the-core-api-is-responsible-for-enhancing-the-adr-markdown-body-with-mdx",
        A,
        None,
        "The core API is responsible for enhancing the ADR markdown body with MDX",
    ),
    "20201028-adr-with-no-metadata-no-title.md": (
        "20201028-adr-with-no-metadata-no-title",
        U,
        None,
        "20201028-adr-with-no-metadata-no-title",
    ),
    "20201028-adr-with-no-metadata.md": (
        "20201028-adr-with-no-metadata",
        U,
        None,
        "ADR with no metadata",
    ),
    "20201028-adr-without-date.md": ("20201028-adr-without-date", A, None, "ADR without date"),
    # links to other ADRs (one broken) but no status
    "20201028-links.md": ("20201028-links", U, None, "Links"),
    "20201028-superseded-adr.md": (
        "20201028-superseded-adr",
        S,
        "20201029-superseder",
        "Superseded ADR",
    ),
    "20201029-proposed-adr.md": ("20201029-proposed-adr", P, None, "Proposed ADR"),
    "20201029-rejected-adr.md": ("20201029-rejected-adr", R, None, "Rejected ADR"),
    "20201029-superseder.md": ("20201029-superseder", A, None, "Superseder"),
    "20201030-draft-adr.md": ("20201030-draft-adr", P, None, "Draft ADR"),  # "draft"
    "20201103-use-lunr-for-search.md": (
        "20201103-use-lunr-for-search",
        A,
        None,
        "Use Lunr for search",
    ),
    "20210113-distribute-log4brains-as-a-global-npm-package.md": (
        "20210113-distribute-log4brains-as-a-global-npm-package",
        A,
        None,
        "Distribute Log4brains as a global NPM package",
    ),
    "adr_with_a_WeIrd-filename.md": (
        "adr_with_a_WeIrd-filename",
        A,
        None,
        "ADR with a weird filename",
    ),
}

# ministryofjustice/modernisation-platform: adr-tools layout, the status word decorated with an
# emoji ("✅ Accepted", "❌ Rejected", "🤔 Proposed", "⌛️ Superseded"). Where README.md's table
# of contents disagrees with a file (0029 "♻ amended", 0041 "🤔"), the file's own status wins.
EMOJI_STATUS: dict[str, Reading] = {
    "0001-record-architecture-decisions.md": (
        "ADR-0001",
        A,
        None,
        "Record architecture decisions",
    ),
    "0002-use-iam-federated-access.md": ("ADR-0002", R, None, "Use IAM Federated Access"),
    "0003-use-aws-sso.md": ("ADR-0003", A, None, "Use AWS SSO"),
    # "⌛️ Superseded [0019](0019-use-bash-go-as-core-languages.md)": no "by", a bare number link
    "0004-use-bash-node-python-as-core-languages.md": (
        "ADR-0004",
        S,
        "ADR-0019",
        "Use bash, nodejs, and python as core languages",
    ),
    "0005-use-github-actions.md": ("ADR-0005", A, None, "Use GitHub Actions as our CI/CD runner"),
    "0006-use-a-multi-account-strategy-for-applications.md": (
        "ADR-0006",
        A,
        None,
        "Use a multi-account strategy for applications",
    ),
    "0007-use-terratest-opa-and-go-for-testing.md": (
        "ADR-0007",
        A,
        None,
        "Use Terratest, Open Policy Agent and Go for testing",
    ),
    "0008-use-kms-in-shared-services-for-cross-account-encryption.md": (
        "ADR-0008",
        A,
        None,
        "Use KMS in the Shared Services Account for Cross Account Encryption",
    ),
    "0009-use-secrets-manager-for-secrets.md": (
        "ADR-0009",
        A,
        None,
        "Use Secrets Manager for Secrets",
    ),
    "0010-terraform-module-strategy.md": ("ADR-0010", A, None, "Terraform Module Strategy"),
    "0011-use-vpc-flow-logs-to-gain-insight-into-network-state.md": (
        "ADR-0011",
        R,
        None,
        "Use VPC flow logs to gain insight into network state",
    ),
    "0012-use-tgw-route-analyzer-to-check-desired-state-for-route-tables.md": (
        "ADR-0012",
        R,
        None,
        "Use Transit Gateway Route Analyzer to check desired state for route tables",
    ),
    "0013-use-iac-network-tester-to-test-connectivity-rules.md": (
        "ADR-0013",
        R,
        None,
        "Use IaC Network tester to test connectivity rules",
    ),
    "0014-create-ecr-in-the-shared-services-account.md": (
        "ADR-0014",
        A,
        None,
        "Create Application Elastic Container Repositories (ECR) in the shared-services account",
    ),
    "0015-use-aws-image-builder-for-managing-amis.md": (
        "ADR-0015",
        A,
        None,
        "Use AWS image builder for managing AMIs",
    ),
    "0016-ip-address-range-allocation.md": ("ADR-0016", A, None, "IP Address Range Allocation"),
    "0017-monitoring-and-alerting.md": ("ADR-0017", A, None, "Monitoring and Alerting"),
    "0018-use-aws-shield-advanced.md": ("ADR-0018", A, None, "Use AWS Shield Advanced"),
    "0019-use-bash-go-as-core-languages.md": (
        "ADR-0019",
        A,
        None,
        "Use bash and go as core languages",
    ),
    "0020-how-we-create-and-maintain-documentation.md": (
        "ADR-0020",
        A,
        None,
        "How we create and maintain documentation",
    ),
    "0021-use-a-go-lambda-for-instance-scheduling.md": (
        "ADR-0021",
        A,
        None,
        "Use a Go Lambda for instance scheduling",
    ),
    "0022-patching-strategy.md": ("ADR-0022", A, None, "Patching Strategy"),
    "0023-backup-strategy.md": ("ADR-0023", A, None, "Backup Strategy"),
    "0024-egress-traffic-inspection.md": ("ADR-0024", A, None, "Egress Traffic Inspection"),
    # "⌛ Superseded" (no variation selector) followed by a paragraph that links a GitHub issue,
    # not an ADR: superseded, with no successor in the log.
    "0025-non-standard-user-infrastructure.md": (
        "ADR-0025",
        S,
        None,
        "Non Standard User Infrastructure",
    ),
    "0026-use-network-services-account-for-dns.md": (
        "ADR-0026",
        A,
        None,
        "Use Network Services account for DNS resources",
    ),
    "0027-use-member-cicd-access-for-configuration-management.md": (
        "ADR-0027",
        A,
        None,
        "Use Member CICD Access for Configuration Management",
    ),
    "0028-expand-the-scope-of-the-platform.md": (
        "ADR-0028",
        A,
        None,
        "Expand the Scope of the Platform",
    ),
    "0029-how-we-deploy-shared-active-directory-controllers.md": (
        "ADR-0029",
        A,
        None,
        "How we deploy shared Active Directory controllers",
    ),
    "0030-cross-environment-network-access.md": (
        "ADR-0030",
        A,
        None,
        "Cross environment network access",
    ),
    # 0031 and 0032 are headed "# 30. ...": the id comes from the file name, the heading's
    # number is a copy-paste slip and is removed from the title like any "N. " prefix.
    "0031-llms-will-be-hosted-on-the-analytical-platform.md": (
        "ADR-0031",
        A,
        None,
        "LLMs will be hosted on the Analytical Platform",
    ),
    "0032-ncsc-pdns-not-at-platform-level.md": (
        "ADR-0032",
        A,
        None,
        "NCSC PDNS will not be applied at platform level",
    ),
    # "# 33.  Increase ..." (two spaces after the number)
    "0033-s3-state-bucket-condition-security.md": (
        "ADR-0033",
        R,
        None,
        "Increase security of sensitive S3 objects (state bucket)",
    ),
    "0034-use-cloud-map.md": ("ADR-0034", R, None, "Use of AWS Cloud Map"),
    "0035-terraform-workspaces.md": ("ADR-0035", A, None, "Use of Terraform Workspaces"),
    "0036-managing-environment-collaboration-with-component-isolation.md": (
        "ADR-0036",
        A,
        None,
        "Managing Environment Collaboration through Component-Based Isolation",
    ),
    "0037-give-teams-the-permissions-to-manage-unwanted-volumes.md": (
        "ADR-0037",
        A,
        None,
        "Give Users the Permissions to Manage Unwanted EBS Volumes",
    ),
    "0038-stop-storing-binaries-and-archives-in-git.md": (
        "ADR-0038",
        A,
        None,
        "Stop storing binary and archive files in git",
    ),
    "0039-cloudtrail-multi-region-org-trail.md": (
        "ADR-0039",
        A,
        None,
        "AWS CloudTrail Multi-Region and Organization Trail Implementation",
    ),
    "0040-transit-gateway-auto-accept.md": (
        "ADR-0040",
        A,
        None,
        "Transit Gateway Auto-Accept VPC Attachment Requests",
    ),
    "0041-adopting-entra-id.md": ("ADR-0041", A, None, "Adopting Entra ID"),
    "0042-server-access-logging.md": (
        "ADR-0042",
        A,
        None,
        "Monitor Object Access Without S3 Server Access Logging",
    ),
    "0043-enforce-s3-kms-encryption-with-scp-guardrails.md": (
        "ADR-0043",
        P,
        None,
        "Enforce S3 KMS Encryption with SCP Guardrails",
    ),
    "0044-s3-mfa-delete.md": (
        "ADR-0044",
        A,
        None,
        "S3 Delete Protection: Object Lock Replicas over MFA Delete",
    ),
    "0045-centralise-vpc-endpoints-with-route53-profiles.md": (
        "ADR-0045",
        P,
        None,
        "Centralise VPC endpoints in core-network-services with Route53 Profiles",
    ),
}

# DependencyTrack/hyades, docs/architecture/decisions: three-digit numbers, no "# " title in any
# file, the status in the first row of a header-row table:
#   | Status   | Date       | Author(s) |
#   | Proposed | 2025-01-07 | @nscuro   |
# With no title written, the title is the file stem (the documented fallback, as in log4brains).
TABLE_STATUS: dict[str, Reading] = {
    "001-drop-kafka-dependency.md": ("ADR-0001", P, None, "001-drop-kafka-dependency"),
    "002-workflow-orchestration.md": ("ADR-0002", P, None, "002-workflow-orchestration"),
    "003-notification-publishing.md": ("ADR-0003", P, None, "003-notification-publishing"),
    "004-file-storage-plugin.md": ("ADR-0004", A, None, "004-file-storage-plugin"),
    "005-materialize-project-hierarchies.md": (
        "ADR-0005",
        A,
        None,
        "005-materialize-project-hierarchies",
    ),
    "006-consolidate-user-tables.md": ("ADR-0006", A, None, "006-consolidate-user-tables"),
    "007-spec-first-rest-api-v2.md": ("ADR-0007", A, None, "007-spec-first-rest-api-v2"),
    "008-sbom-push-with-gitlab-token.md": (
        "ADR-0008",
        P,
        None,
        "008-sbom-push-with-gitlab-token",
    ),
    # the separator row is written "| :------- | :--------- |" (spaces inside the cells)
    "009-auth-and-roles.md": ("ADR-0009", P, None, "009-auth-and-roles"),
    "010-vulnerability-datasource-extension-point.md": (
        "ADR-0010",
        A,
        None,
        "010-vulnerability-datasource-extension-point",
    ),
    "011-notification-outbox.md": ("ADR-0011", A, None, "011-notification-outbox"),
    "012-extension-kv-store.md": ("ADR-0012", A, None, "012-extension-kv-store"),
    # 013 and 014 also hold schema tables in the body; only the table at the top is metadata
    "013-finding-status.md": ("ADR-0013", A, None, "013-finding-status"),
    "014-new-alias-schema.md": ("ADR-0014", A, None, "014-new-alias-schema"),
    "015-package-metadata.md": ("ADR-0015", A, None, "015-package-metadata"),
    "016-user-managed-vuln-policies.md": ("ADR-0016", A, None, "016-user-managed-vuln-policies"),
    "017-notification-filter-expressions.md": (
        "ADR-0017",
        A,
        None,
        "017-notification-filter-expressions",
    ),
}

# microsoft/semantic-kernel, docs/decisions: MADR front matter at scale. Several numbers are
# shared by two or three files (0021, 0023, 0025, 0046, 0051, 0072): each file gets that
# number's id. Placeholders survive ("status: { accepted }", "status: {proposed}"): the word in
# the braces is the status. 0018, 0024 and 0049 have no front matter and no status at all.
MADR_LARGE: dict[str, Reading] = {
    "0001-madr-architecture-decisions.md": (
        "ADR-0001",
        A,
        None,
        "Use Markdown Any Decision Records to track Semantic Kernel Architecture Decisions",
    ),
    "0002-java-folder-structure.md": ("ADR-0002", A, None, "Java Folder Structure"),
    "0003-support-multiple-native-function-args.md": (
        "ADR-0003",
        A,
        None,
        "Add support for multiple native function arguments of many types",
    ),
    "0004-error-handling.md": ("ADR-0004", A, None, "Error handling improvements"),
    "0005-kernel-hooks-phase1.md": ("ADR-0005", A, None, "Kernel/Function Handlers - Phase 1"),
    # "status: superseded by [ADR-0062](0062-open-api-payload.md)"
    "0006-open-api-dynamic-payload-and-namespaces.md": (
        "ADR-0006",
        S,
        "ADR-0062",
        "Dynamic payload building for PUT and POST RestAPI operations and parameter namespacing",
    ),
    "0007-prompt-extract-template-engine.md": (
        "ADR-0007",
        A,
        None,
        "Extract the Prompt Template Engine from Semantic Kernel core",
    ),
    "0008-support-generic-llm-request-settings.md": (
        "ADR-0008",
        A,
        None,
        "Refactor to support generic LLM request settings",
    ),
    "0009-support-multiple-named-args-in-template-function-calls.md": (
        "ADR-0009",
        A,
        None,
        "Add support for multiple named arguments in template function calls",
    ),
    # front matter has a blank line after the comment, and "informed:" is a leftover
    # placeholder mapping spread over three lines
    "0010-dotnet-project-structure.md": (
        "ADR-0010",
        S,
        "ADR-0042",
        "DotNet Project Structure for 1.0 Release",
    ),
    "0011-function-and-kernel-result-types.md": (
        "ADR-0011",
        A,
        None,
        "Replace SKContext as Function/Kernel result type with FunctionResult and KernelResult "
        "models",
    ),
    "0012-kernel-service-registration.md": ("ADR-0012", A, None, "Kernel Service Registration"),
    "0013-memory-as-plugin.md": (
        "ADR-0013",
        A,
        None,
        "Move all Memory-related logic to separate Plugin",
    ),
    "0014-chat-completion-roles-in-prompt.md": (
        "ADR-0014",
        A,
        None,
        "SK prompt syntax for chat completion roles",
    ),
    "0015-completion-service-selection.md": (
        "ADR-0015",
        S,
        "ADR-0038",
        "Completion service type selection strategy",
    ),
    "0016-custom-prompt-template-formats.md": (
        "ADR-0016",
        A,  # "approved"
        None,
        "Custom Prompt Template Formats",
    ),
    "0017-openai-function-calling.md": ("ADR-0017", A, None, "OpenAI Function Calling Support"),
    # no front matter, no "# " title (starts at "## Context and Problem Statement"), no status
    "0018-kernel-hooks-phase2.md": ("ADR-0018", U, None, "0018-kernel-hooks-phase2"),
    "0019-semantic-function-multiple-model-support.md": (
        "ADR-0019",
        A,  # "approved"
        None,
        "Multiple Model Support for Semantic Functions",
    ),
    "0020-prompt-syntax-mapping-to-completion-service-model.md": (
        "ADR-0020",
        A,
        None,
        "Mapping of prompt syntax to completion service model",
    ),
    # "status: {proposed}" and "date: {2023-11-10}": placeholders filled in without removing
    # the braces (YAML reads them as a one-key mapping)
    "0021-aiservice-metadata.md": ("ADR-0021", P, None, "Add AI Service Metadata"),
    "0021-json-serializable-custom-types.md": (
        "ADR-0021",
        P,
        None,
        "JSON Serializable Custom Types",
    ),
    "0022-skfunction.md": (
        "ADR-0022",
        P,
        None,
        "Semantic Kernel Functions are defined using Interface or Abstract Base Class",
    ),
    "0023-handlebars-template-engine.md": (
        "ADR-0023",
        A,
        None,
        "Handlebars Prompt Template Helpers",
    ),
    "0023-kernel-streaming.md": (
        "ADR-0023",
        P,
        None,
        "Streaming Capability for Kernel and Functions usage - Phase 1",
    ),
    # no front matter, no "# " title (starts at "## Proposal"), no status
    "0024-connectors-api-equalization.md": (
        "ADR-0024",
        U,
        None,
        "0024-connectors-api-equalization",
    ),
    "0025-chat-content-models.md": ("ADR-0025", A, None, "Chat Models"),
    "0025-planner-telemetry-enhancement.md": (
        "ADR-0025",
        A,  # "status: { accepted }"
        None,
        "Planner Telemetry Enhancement",
    ),
    "0026-file-service.md": ("ADR-0026", P, None, "File Services"),
    "0030-branching-strategy.md": ("ADR-0030", P, None, "SK Branching Strategy"),
    "0031-feature-branch-strategy.md": (
        "ADR-0031",
        A,  # "approved"
        None,
        "Strategy for Community Driven Connectors and Features",
    ),
    # "status: experimental": judgement call, unknown. The word names none of the statuses nor
    # a synonym issue 10 lists; "experimental" describes the feature's API maturity more than
    # the state of the decision, so it is not guessed into proposed or accepted.
    "0032-agents.md": ("ADR-0032", U, None, "SK Agents Overview and High Level Design"),
    "0033-kernel-filters.md": ("ADR-0033", A, None, "Kernel Filters"),
    "0034-rag-in-sk.md": (
        "ADR-0034",
        P,
        None,
        "Retrieval-Augmented Generation (RAG) in Semantic Kernel",
    ),
    "0035-skfunction-type-descriptions.md": (
        "ADR-0035",
        A,
        None,
        "Providing more type information to SKFunctions and Planners",
    ),
    # "date: 2024-023-2706" is no date; the status is still accepted
    "0036-semantic-kernel-release-versioning.md": (
        "ADR-0036",
        A,
        None,
        "Semantic Kernel Release Versioning",
    ),
    "0037-audio-naming.md": (
        "ADR-0037",
        P,
        None,
        "Audio Abstraction and Implementation naming",
    ),
    "0038-completion-service-selection.md": (
        "ADR-0038",
        A,
        None,
        "Completion Service Selection Strategy",
    ),
    # judgement call: the "# " heading is the template's placeholder, left in. It is the title
    # the file has; the reader sees it as written (nothing else in the file names the decision).
    "0039-set-plugin-name-in-metadata.md": (
        "ADR-0039",
        A,
        None,
        "{short title of solved problem and solution}",
    ),
    "0040-chat-prompt-xml-support.md": ("ADR-0040", A, None, "Support XML Tags in Chat Prompts"),
    "0041-function-call-content.md": ("ADR-0041", A, None, "Function Call Content"),
    # judgement call: the title is written as the first line inside the front matter
    # ("# Reestructure of How ...", where the template has its "# These are optional elements"
    # comment) and the body starts at "## Context and Problem Statement". The "# " headings far
    # down the body (line 570 on, "# KernelSyntaxExamples Decomposition Option 3 ...") head
    # options, they are not the title.
    "0042-samples-restructure.md": (
        "ADR-0042",
        A,
        None,
        "Reestructure of How Sample Code will be Structured In the Repository",
    ),
    "0043-filters-exception-handling.md": ("ADR-0043", A, None, "Exception handling in filters"),
    # the file starts with a UTF-8 byte order mark before "---"; "status: { accepted }"
    "0044-OTel-semantic-convention.md": (
        "ADR-0044",
        A,
        None,
        "Use standardized vocabulary and specification for observability in Semantic Kernel",
    ),
    "0045-breaking-changes-guidance.md": ("ADR-0045", A, None, "Guidance for Breaking Changes"),
    "0046-azure-model-as-a-service.md": (
        "ADR-0046",
        A,  # "status: { accepted }"
        None,
        "Support for Azure Model-as-a-Service in SK",
    ),
    "0046-java-repository-separation.md": (
        "ADR-0046",
        P,
        None,
        "Separate Java Repository To a Separate Code Base",
    ),
    "0046-kernel-content-graduation.md": ("ADR-0046", P, None, "Kernel Content Types Graduation"),
    "0047-azure-open-ai-connectors.md": (
        "ADR-0047",
        A,  # "approved"
        None,
        "OpenAI and Azure Connectors Naming and Structuring",
    ),
    "0048-agent-chat-serialization.md": (
        "ADR-0048",
        P,
        None,
        "AgentChat Serialization / Deserialization",
    ),
    # no front matter (the file starts with a blank line, then the "# " title), no status
    "0049-agents-assistantsV2.md": (
        "ADR-0049",
        U,
        None,
        "Agent Framework - Assistant V2 Migration",
    ),
    "0050-updated-vector-store-design.md": ("ADR-0050", P, None, "Updated Memory Connector Design"),
    "0051-dotnet-azure-model-as-a-service.md": (
        "ADR-0051",
        P,
        None,
        "Support Connector for .Net Azure Model-as-a-Service (Azure AI Studio)",
    ),
    "0051-entity-framework-as-connector.md": (
        "ADR-0051",
        P,
        None,
        "Entity Framework as Vector Store Connector",
    ),
    "0052-python-ai-connector-new-abstract-methods.md": (
        "ADR-0052",
        A,  # "status: { accepted }"
        None,
        "New abstract methods in ChatCompletionClientBase and TextCompletionClientBase "
        "(Semantic Kernel Python)",
    ),
    "0053-dotnet-structured-outputs.md": (
        "ADR-0053",
        P,
        None,
        "Structured Outputs implementation in .NET version of Semantic Kernel",
    ),
    # "date: September 20, 2024"
    "0054-processes.md": ("ADR-0054", A, None, "Business Process Execution with Semantic Kernel"),
    "0055-dotnet-azureopenai-stable-version-strategy.md": (
        "ADR-0055",
        A,
        None,
        "Connectors Versioning Strategy for Underlying SDKs",
    ),
    "0056-python-streaming-content-for-token-usage.md": (
        "ADR-0056",
        A,  # "status: { accepted }"
        None,
        "Streaming Contents for Token Usage Information (Semantic Kernel Python)",
    ),
    # "status: { in-progress }": "in progress" written with a hyphen, inside a placeholder
    "0057-python-structured-output.md": (
        "ADR-0057",
        P,
        None,
        "Supporting OpenAI's Structured Output in Semantic Kernel Python",
    ),
    "0058-vector-search-design.md": ("ADR-0058", P, None, "Updated Vector Search Design"),
    "0059-text-search.md": ("ADR-0059", P, None, "Text Search Abstraction"),
    "0060-jsos-integration.md": (
        "ADR-0060",
        A,
        None,
        "Considering Ways to Integrate JsonSerializerOptions into SK",
    ),
    "0061-function-call-behavior.md": ("ADR-0061", A, None, "Function Call Behavior"),
    "0062-open-api-payload.md": ("ADR-0062", P, None, "Providing Payload for OpenAPI Functions"),
    "0063-function-calling-reliability.md": ("ADR-0063", P, None, "Function Calling Reliability"),
    "0064-hybrid-model-orchestration.md": ("ADR-0064", A, None, "Hybrid Model Orchestration"),
    # "status:  proposed " (extra spaces)
    "0065-realtime-api-clients.md": ("ADR-0065", P, None, "Multi-modal Realtime API Clients"),
    "0066-concepts-guidelines.md": ("ADR-0066", P, None, "Structured Concepts"),
    "0067-hybrid-search.md": (
        "ADR-0067",
        A,
        None,
        "Support Hybrid Search in VectorStore abstractions",
    ),
    "0068-structured-data-connector.md": (
        "ADR-0068",
        P,
        None,
        "Structured Data Plugin Implementation in Semantic Kernel",
    ),
    "0069-mcp.md": ("ADR-0069", A, None, "Model Context Protocol integration"),  # "approved"
    # "consulted:" and "informed:" are the template's placeholder text
    "0070-declarative-agent-schema.md": (
        "ADR-0070",
        P,
        None,
        "Schema for Declarative Agent Format",
    ),
    "0071-multi-agent-orchestration.md": (
        "ADR-0071",
        P,  # "status: { proposed }"
        None,
        "Multi-agent Orchestration",
    ),
    "0072-agents-with-memory.md": ("ADR-0072", A, None, "Agents with Memory"),
    # front matter with "status: accepted", then straight to "## Context and Problem Statement":
    # no title written, so the stem
    "0072-context-based-function-selection.md": (
        "ADR-0072",
        A,
        None,
        "0072-context-based-function-selection",
    ),
    "0073-linq-based-text-search-filtering.md": (
        "ADR-0073",
        A,
        None,
        "Migrate ITextSearch from Clause-Based to LINQ-Based Filtering",
    ),
}

EXPECTED: dict[str, dict[str, Reading]] = {
    "adr-tools": ADR_TOOLS,
    "emoji-status": EMOJI_STATUS,
    "log4brains": LOG4BRAINS,
    "madr": MADR,
    "madr-large": MADR_LARGE,
    "table-status": TABLE_STATUS,
}

NOT_ADRS: dict[str, frozenset[str]] = {
    "adr-tools": frozenset(),
    # the log's table of contents
    "emoji-status": frozenset({"README.md"}),
    # the homepage, the folder's README and the log4brains template
    "log4brains": frozenset({"README.md", "index.md", "template.md"}),
    # the template (placeholder YAML in comments), the Jekyll index page and the folder's
    # markdownlint settings (a file of another format)
    "madr": frozenset({"adr-template.md", "index.md", ".markdownlint.yml"}),
    # the how-to README and both templates, whose placeholder YAML
    # ("status: {proposed | rejected | accepted | ...}") is not valid front matter
    "madr-large": frozenset({"README.md", "adr-template.md", "adr-short-template.md"}),
    # numbered like a decision but an index holding the template in a code block
    "table-status": frozenset({"000-index.md"}),
}

CORPUS_NAMES = tuple(EXPECTED)

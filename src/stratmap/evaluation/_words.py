"""The evaluation's own words, in English and Chinese, in one place.

Every rule, gate effect, reason and measure an evaluation writes is a :class:`Text`: a
``str`` whose value is the English (what the JSON and the Python API give, unchanged) that
also carries its Chinese (``.zh``), which ``--lang zh`` prints. A Text is made by
:func:`say` from a phrase of :data:`PHRASES`; its arguments may be Texts themselves, and
:meth:`Text.join` and ``+`` keep both languages. Ids, codes, numbers and formulas are the
same in both.
"""

from __future__ import annotations

from stratmap.i18n import COMMA, SEMICOLON, Text, in_lang, in_zh

__all__ = ["COMMA", "LABELS_ZH", "PHRASES", "SEMICOLON", "Text", "in_lang", "in_zh", "label", "say"]

#: Each phrase's English and Chinese template, by key (arguments in braces).
PHRASES: dict[str, tuple[str, str]] = {
    # ---- item rules (计分规则) ---------------------------------------------------------
    "yes_no": ("yes/no", "是否"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "met": ("met", "达成"),
    "not_met": ("not met", "未达成"),
    "not_yes_no": ("'{actual}' is not a yes/no answer", "“{actual}”不是是/否答案"),
    "not_number": ("'{actual}' is not a number", "“{actual}”不是数字"),
    "no_target": ("the item has no target", "该考核项没有目标值"),
    "closeness_ratio_target": ("closeness ratio needs a non-zero target", "接近度比值需要非零目标值"),
    "closeness_ratio": ("100 - |actual - target| / |target| x 100", "100 - |实际 - 目标| / |目标| x 100"),
    "positive_target": ("a ratio needs a positive target, not {target}", "比值计分需要正的目标值,而非 {target}"),
    "lower_ratio_actual": (
        "a lower-is-better ratio needs an actual of 0 or more, not {actual}",
        "越低越好的比值计分需要不小于 0 的实际值,而非 {actual}",
    ),
    "lower_zero_cap": ("actual 0 on a lower-is-better KPI: the cap", "越低越好的指标实际为 0:取上限"),
    "target_over_actual": ("target / actual x 100", "目标 / 实际 x 100"),
    "actual_over_target": ("actual / target x 100", "实际 / 目标 x 100"),
    "band": ("band {band}", "区间 {band}"),
    "no_band": ("no band holds {actual}", "没有区间包含 {actual}"),
    "within_tolerance": ("within {tolerance} of the target", "与目标相差不超过 {tolerance}"),
    "beyond_floor": ("beyond {tolerance} of the target: the floor", "与目标相差超过 {tolerance}:取下限"),
    "closeness": ("100 - {penalty} x (distance - {tolerance})", "100 - {penalty} x (偏差 - {tolerance})"),
    "formula_no_number": (
        "the formula gave no number (a missing anchor or a division by zero)",
        "公式未得出数字(缺少锚定值或除以零)",
    ),
    "formula": ("formula {text}", "公式 {text}"),
    "needs_ratings": ("policy {policy} needs ratings", "计分方式 {policy} 需要评价数据"),
    "at_stretch": ("at or past the stretch", "达到或超过挑战值"),
    "at_target_no_stretch": ("at or past the target (no stretch)", "达到或超过目标值(无挑战值)"),
    "target_to_stretch": ("between target and stretch", "介于目标值与挑战值之间"),
    "short_of_threshold": ("short of the threshold", "未达门槛值"),
    "at_threshold": ("at the threshold", "恰在门槛值"),
    "threshold_to_target": ("between threshold and target", "介于门槛值与目标值之间"),
    "not_on_scale": ("'{label}' is not on the scale ({scale})", "“{label}”不在评价标度({scale})中"),
    "no_ratings": ("no ratings", "没有评价"),
    "rater_undeclared": ("rater {rater} is not declared for this item", "评价人 {rater} 未在该考核项中声明"),
    "no_rating_from": ("no rating from {raters}", "缺少 {raters} 的评价"),
    "mean_of_ratings": ("mean of the ratings", "评价的平均值"),
    "missing_zero": ("no actual: scored 0 (missing: zero)", "无实际值:计 0 分(missing: zero)"),
    "missing_skip": (
        "no actual: left out, weights re-normalised (missing: skip)",
        "无实际值:不计入,其余权重按比例换算(missing: skip)",
    ),
    "missing_fail": ("no actual (missing: fail)", "无实际值(missing: fail)"),
    "cannot_be_scored": ("cannot be scored", "无法计分"),
    "revision": (
        "{field} {before} -> {after} from {effective} ({why})",
        "{field} {before} -> {after},自 {effective} 起({why})",
    ),
    # ---- the measures stage (指标取值) ---------------------------------------------------
    "missing": ("missing", "缺失"),
    "reported_fallback": ("reported (it cannot be computed: {why})", "上报值(无法计算:{why})"),
    "reported_agrees": ("; the reported value agrees", ";上报值与之一致"),
    "input": ("{name} {value}", "{name} {value}"),
    "input_how": ("{name} {value} ({how})", "{name} {value}({how})"),
    "inputs_missing": ("{names} missing", "{names} 缺失"),
    "derived_failed": ("derived: {why}", "派生:{why}"),
    "no_number": ("{formula} gives no number ({parts})", "{formula} 未得出数字({parts})"),
    "derived": (
        "derived: {formula} = {value} over {period}, from {parts}",
        "派生:{formula} = {value}({period}),依据 {parts}",
    ),
    "months_differ": (
        "its inputs cover different months of {of} ({shown}): a total over a total needs the same months",
        "其输入覆盖 {of} 个月中的不同月份({shown}):总量之比需要相同的月份",
    ),
    "holder_months_differ": (
        "the holders' values cover different months of the period",
        "各在岗者的数值覆盖本期的不同月份",
    ),
    "holders_short": (
        "{n} of the {expected} holders of {unit} are not in the data",
        "{unit} 的 {expected} 名在岗者中有 {n} 名不在数据中",
    ),
    "rolled_failed": ("rolled up: {why}", "汇总:{why}"),
    "contributions_missing": ("contributions missing from {who}", "缺少 {who} 的计入值"),
    "no_holder": ("no holder of a contributing unit", "计入单位无人在岗"),
    "combined": ("{how} of {parts}", "{parts} 的 {how}"),
    "rolled": ("rolled up: {shown} = {total}", "汇总:{shown} = {total}"),
    "aggregated": ("{how} of {n} of {of} {frequency} values: {shown}", "{of} 个{frequency}值中 {n} 个的 {how}:{shown}"),
    "sum": ("sum", "合计"),
    "mean": ("mean", "平均值"),
    "last": ("last", "最后一期值"),
    "min": ("min", "最小值"),
    "max": ("max", "最大值"),
    "monthly": ("monthly", "月度"),
    "quarterly": ("quarterly", "季度"),
    "half_yearly": ("half-yearly", "半年度"),
    "yearly": ("yearly", "年度"),
    # ---- partial years (不足一年) -------------------------------------------------------
    "partial_of": (
        "partial {span}: {covered} of {total} months reported",
        "不足{span}:{total} 个月中只报了 {covered} 个月",
    ),
    "quarter": ("quarter", "一季"),
    "half_year": ("half-year", "半年"),
    "year": ("year", "一年"),
    "partial_refuse": ("{of} (partial_year: refuse)", "{of}(partial_year: refuse)"),
    "partial_prorate": (
        "{of}, prorated: {actual} x {total} / {covered} = {annual} (partial_year: prorate)",
        "{of},折算全期:{actual} x {total} / {covered} = {annual}(partial_year: prorate)",
    ),
    "partial_kept": (
        "{of}; the {how} of the periods reported, not prorated (only a sum is) (partial_year: prorate)",
        "{of};取已报期间的 {how},不折算(只折算求和类指标)(partial_year: prorate)",
    ),
    "partial_kept_derived": (
        "{of}; derived from its inputs over the same months, not prorated (partial_year: prorate)",
        "{of};由相同月份的输入派生,不折算(partial_year: prorate)",
    ),
    "partial_accept": ("{of}, scored as reported (partial_year: accept)", "{of},按已报数据计分(partial_year: accept)"),
    "partial_action_refuse": (
        "the items are incomplete (partial_year: refuse)",
        "这些考核项不完整(partial_year: refuse)",
    ),
    "partial_action_prorate": (
        "summed KPIs are prorated to the whole period, x months / months covered (partial_year: prorate)",
        "求和类指标按覆盖月数折算全期,x 全期月数 / 覆盖月数(partial_year: prorate)",
    ),
    "partial_action_accept": ("scored as reported (partial_year: accept)", "按已报数据计分(partial_year: accept)"),
    # ---- gates (关卡) ---------------------------------------------------------------------
    "deduction": ("{event} x{count} at {rate} = {points}", "{event} {count} 次,每次 {rate} 分 = {points}"),
    "deduction_capped": ("{shown}, capped at {max}", "{shown},上限 {max}"),
    "deductions_capped": ("; {total} in all, capped at {cap}", ";合计 {total},上限 {cap}"),
    "minus_points": ("-{total} points", "扣 {total} 分"),
    "capped_at": ("score capped at {cap}", "得分封顶为 {cap}"),
    "cap_no_change": ("no change: the score is at or below the cap of {cap}", "无变化:得分不高于上限 {cap}"),
    "set_to_zero": ("score set to 0", "得分清零"),
    "by_line": ("high-voltage line {id} ({name})", "高压线 {id}({name})"),
    "by_escalation": ("veto {id} missed {n} periods in a row", "否决 {id} 连续 {n} 期未达标"),
    "escalated": ("{n} vetoed periods in a row: {what}", "连续 {n} 期被否决:{what}"),
    "bonus_factor_is": ("bonus factor {factor}", "奖金系数 {factor}"),
    "grade_is": ("grade {grade}", "等级 {grade}"),
    "grade_bands": ("grade bands", "等级区间"),
    "grade_forced": ("grade forced to {grade}", "等级强制为 {grade}"),
    "streak_actual": ("{period} (actual {actual})", "{period}(实际 {actual})"),
    "streak_none": ("{period} (no actual)", "{period}(无实际值)"),
    "streak_miss": ("{period} (not reported: counted as a miss)", "{period}(未上报:计为未达标)"),
    "key_indicator": ("key indicator {id} on {kpi}", "关键战略指标 {id},指标 {kpi}"),
    "key_indicator_named": ("key indicator {id} ({name}) on {kpi}", "关键战略指标 {id}({name}),指标 {kpi}"),
    "veto_no_actual": (
        "{named}: no actual reported, so it is not shown to be met",
        "{named}:未上报实际值,不能表明已达标",
    ),
    "veto_actual": ("{named}: actual {actual}, {condition}", "{named}:实际 {actual},{condition}"),
    "veto_actual_with": (
        "{named}: actual {actual}, {condition} with {read}",
        "{named}:实际 {actual},{condition},其中 {read}",
    ),
    "with_run": ("{reason}; the run counted: {run}", "{reason};计入的连续期:{run}"),
    "incomplete": ("incomplete", "不完整"),
    "unread": ("could not be read: {tables}", "无法读取:{tables}"),
    "lowered_to": ("grade lowered to {grade}", "等级下调为 {grade}"),
    "quota_max": ("quota: at most {percent}% {grade}", "强制分布:{grade} 至多 {percent}%"),
    "quota_min": ("quota: at least {percent}% {grade}", "强制分布:{grade} 至少 {percent}%"),
    "at_most": ("at most {percent}%", "至多 {percent}%"),
    "at_least": ("at least {percent}%", "至少 {percent}%"),
    "quota_unmet": (
        "it cannot be met: {short} more are needed and only {better} hold a better grade; grades unchanged",
        "无法满足:还需 {short} 人,而只有 {better} 人的等级更高;等级不变",
    ),
    "quota_adjusted": ("grades were adjusted", "等级已调整"),
    "quota_unchanged": ("mode {mode}: grades unchanged", "模式 {mode}:等级不变"),
    "no_factor": ("no factor", "无系数"),
    "formula_at_score": ("formula at score {score}", "按得分 {score} 计算公式"),
    "factor_is": ("factor {factor}", "系数 {factor}"),
    "by_grade_read": ("by grade: grade {grade}", "按等级:等级 {grade}"),
    "by_score_read": ("by score: the published score {score}", "按得分:公布得分 {score}"),
    "factor_times": ("factor x {factor}", "系数 x {factor}"),
    "veto_no_change": ("no change: the bonus factor is already 0", "无变化:奖金系数已为 0"),
    "forfeited": ("bonus forfeited", "奖金取消"),
    "forfeit_no_change": ("no change: the bonus factor is already 0", "无变化:奖金系数已为 0"),
    "no_score": ("no score to pay on: the result is {status}", "没有可据以发放奖金的得分:结果{status}"),
    "escalation_gap": (
        "the escalation of {indicator} cannot be counted: no actual of {kpi} in {period} (missing_period: error)",
        "{indicator} 的升级无法计数:{period} 没有 {kpi} 的实际值(missing_period: error)",
    ),
    "line_touched": ("a high-voltage line was touched", "触碰高压线"),
    "base_unread": ("the bonus-base table {source} could not be read", "奖金基数表 {source} 无法读取"),
    "no_base_row": ("no bonus base for {entity} in {period}", "{period} 没有 {entity} 的奖金基数"),
    "no_base_table": ("no bonus base table was given", "未提供奖金基数表"),
    "base_times": ("{base} x {factor}", "{base} x {factor}"),
    # ---- the review (述职) ----------------------------------------------------------------
    "review_deductions": ("deductions -{points}", "扣分 -{points}"),
    "review_run": (", {n} periods in a row", ",连续 {n} 期"),
    "review_veto": ("veto {id}: {reason}, bonus factor {factor}{run}", "否决 {id}:{reason},奖金系数 {factor}{run}"),
    "review_line": ("high-voltage line {id} ({name}): {outcome}", "高压线 {id}({name}):{outcome}"),
}


#: The Chinese of the values and labels a report prints (statuses, tiers, gate steps,
#: column headers); ids and numbers are printed as they are.
LABELS_ZH: dict[str, str] = {
    "complete": "完整",
    "incomplete": "不完整",
    "no_data": "无数据",
    "scored": "已计分",
    "missing_zero": "缺失计零",
    "skipped": "缺失不计",
    "unscorable": "无法计分",
    "partial": "不足一年",
    "short_term": "短期",
    "annual": "年度",
    "major_responsibility": "重大责任",
    "deductions": "扣分",
    "high_voltage": "高压线",
    "escalation": "升级",
    "grade": "等级",
    "lowest_grade": "最低等级",
    "distribution": "强制分布",
    "bonus_rule": "奖金规则",
    "veto": "否决",
    "forfeit": "取消奖金",
    "bonus": "奖金",
    "data": "数据",
    "missing": "缺失",
    "entity": "对象",
    "scorecard": "考核表",
    "status": "状态",
    "score": "得分",
    "rank": "排名",
    "vetoes": "否决",
    "bonus_factor": "奖金系数",
    "ratio": "比值",
    "linear": "线性",
    "bands": "区间",
    "closeness": "接近度",
    "goal": "达成",
    "yes_no": "是否",
    "rating": "评价",
    "formula": "公式",
}


def label(value: object, lang: str) -> str:
    """A status, tier, step or column name in ``lang`` (as it is when it has no Chinese)."""
    text = "" if value is None else str(value)
    return LABELS_ZH.get(text, text) if lang == "zh" else text


def say(key: str, **args: object) -> Text:
    """The phrase ``key`` with ``args`` filled in, in both languages."""
    en, zh = PHRASES[key]
    return Text(en.format(**{k: str(v) for k, v in args.items()}), zh.format(**{k: in_zh(v) for k, v in args.items()}))

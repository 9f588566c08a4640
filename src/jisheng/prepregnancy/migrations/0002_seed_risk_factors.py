"""The common risk factors of the national free pre-pregnancy check protocol
(国家免费孕前优生健康检查项目 风险评估), as the starting list the street office maintains."""

from typing import Any

from django.db import migrations

# code, name (as staff read it), category, applies to
FACTORS = (
    ("genetic_disease", "夫妻一方或双方患遗传性疾病或有家族史", "genetic", "both"),
    ("consanguinity", "近亲结婚", "genetic", "both"),
    ("birth_defect_history", "既往生育过出生缺陷儿", "reproductive", "wife"),
    ("recurrent_miscarriage", "自然流产两次及以上", "reproductive", "wife"),
    ("stillbirth_history", "死胎、死产史", "reproductive", "wife"),
    ("preterm_history", "早产史", "reproductive", "wife"),
    ("advanced_age", "女方年龄35岁及以上", "other", "wife"),
    ("hypertension", "高血压", "disease", "both"),
    ("diabetes", "糖尿病", "disease", "both"),
    ("heart_disease", "心脏病", "disease", "both"),
    ("thyroid_disease", "甲状腺功能异常", "disease", "wife"),
    ("anaemia", "贫血", "disease", "wife"),
    ("liver_dysfunction", "肝功能异常", "disease", "both"),
    ("kidney_dysfunction", "肾功能异常", "disease", "both"),
    ("epilepsy", "癫痫", "disease", "both"),
    ("mental_illness", "精神疾病", "disease", "both"),
    ("abnormal_bmi", "体重指数异常（低于18.5或28及以上）", "other", "both"),
    ("hepatitis_b", "乙型肝炎病毒感染", "infection", "both"),
    ("syphilis", "梅毒螺旋体感染", "infection", "both"),
    ("rubella_susceptible", "风疹病毒易感（IgG阴性）", "infection", "wife"),
    ("toxoplasma", "弓形虫感染", "infection", "wife"),
    ("cytomegalovirus", "巨细胞病毒感染", "infection", "wife"),
    ("reproductive_tract_infection", "生殖道感染（淋球菌、沙眼衣原体等）", "infection", "wife"),
    ("teratogenic_medication", "正在服用可能致畸的药物", "medication", "both"),
    ("smoking", "吸烟或被动吸烟", "lifestyle", "both"),
    ("alcohol", "酗酒", "lifestyle", "both"),
    ("drug_use", "吸毒", "lifestyle", "both"),
    ("toxic_exposure", "接触放射线、农药、重金属、有机溶剂等有毒有害物质", "environment", "both"),
    ("heat_noise_exposure", "长期接触高温、噪声", "environment", "both"),
    ("pets", "密切接触猫、狗等宠物", "environment", "wife"),
    ("psychological_stress", "精神压力大、焦虑或抑郁", "other", "both"),
    ("gynaecological_abnormality", "妇科超声检查异常", "other", "wife"),
)


def seed(apps: Any, schema_editor: Any) -> None:
    RiskFactor = apps.get_model("prepregnancy", "RiskFactor")
    for order, (code, name, category, applies_to) in enumerate(FACTORS, start=1):
        RiskFactor.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "applies_to": applies_to,
                "sort_order": order * 10,
            },
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    RiskFactor = apps.get_model("prepregnancy", "RiskFactor")
    RiskFactor.objects.filter(code__in=[code for code, *_rest in FACTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("prepregnancy", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

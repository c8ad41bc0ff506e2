"""The seed document's customer responsibilities, one line per task, with the key terms a
faithful wording must keep in each language.

The seed is Microsoft's Korean page "Enterprise Mobility Suite에 대한 FastTrack 센터 혜택
프로세스 - 고객의 책임" (2016). Its lines are copied here so the tests need nothing outside
the project. The Korean terms follow the project's glossary where it replaces the seed's
wording on purpose (below); everything else is the seed's own word.
"""

from __future__ import annotations

from typing import NamedTuple


class SeedLine(NamedTuple):
    text: str  # the seed's line, as written
    en: tuple[str, ...]  # key terms the English title + description must contain
    ko: tuple[str, ...]  # key terms the Korean title + description must contain


# The project's Korean glossary, one term per concept. Where it replaces the seed's wording,
# the seed's word is forbidden below: meeting 회의 (seed 모임), checkpoint 체크포인트 (검사점),
# engagement 프로젝트 (참여), remediation 보완 (수정, which alone reads as "edit"), checklist
# 체크리스트 (검사 목록), timeline 일정 (타임라인), plan 계획 (플랜), onboarding 온보딩 (등록
# 작업), communications 커뮤니케이션 (통신), guidance 지침.
# Words a Korean text must not use: a second term for a concept above, or a word that
# changes the seed's meaning (지적된: implies fault; 정리: weaker than 제거 및 해제; 하나씩:
# adds an order; 구하고: colloquial; 기본: "default", not 기준 "baseline"; 소수: adds "few").
FORBIDDEN_KO = (
    "모임",
    "검사점",
    "참여 준비",
    "참여 기간",
    "수정 단계",
    "수정 작업",
    "수정 일정",
    "검사 목록",
    "타임라인",
    "플랜",
    "등록 작업",
    "통신",
    "지적된",
    "정리",
    "하나씩",
    "구하고",
    "기본 EMS",
    "소수",
    "(으)로",
    "이(가)",
    "을(를)",
    "은(는)",
)

SEED: dict[str, SeedLine] = {
    "general.custom-enhancements": SeedLine(
        "이 문서에 열거된 구성 가능한 옵션을 벗어나는 EMS 테넌트에 대한 기능 향상 및 통합.",
        ("enumerated", "configurable options", "enhancement", "integration", "EMS tenant"),
        ("열거된", "구성 가능한 옵션", "EMS 테넌트", "기능 향상", "통합"),
    ),
    "general.program-management": SeedLine(
        "사용자의 리소스에 대한 전체 프로그램 및 프로젝트 관리.",
        ("overall program", "project management", "resources"),
        ("리소스", "전체 프로그램", "프로젝트 관리"),
    ),
    "general.end-user-readiness": SeedLine(
        "최종 사용자 통신, 설명서, 교육 및 변경 관리.",
        ("end-user", "communications", "documentation", "training", "change management"),
        ("최종 사용자", "커뮤니케이션", "설명서", "교육", "변경 관리"),
    ),
    "general.helpdesk-readiness": SeedLine(
        "기술 지원팀 설명서 및 교육.",
        ("help desk", "documentation", "train"),
        ("기술 지원팀", "설명서", "교육"),
    ),
    "general.reports-and-minutes": SeedLine(
        "사용자 조직과 관련된 보고서, 프레젠테이션 또는 회의록 작성.",
        ("reports", "presentations", "meeting minutes", "your organization"),
        ("조직", "보고서", "프레젠테이션", "회의록", "작성"),
    ),
    "general.architecture-docs": SeedLine(
        "사용자 조직과 관련된 아키텍처 및 기술 설명서 작성.",
        ("architecture", "technical documentation", "your organization"),
        ("조직", "아키텍처", "기술 설명서", "작성"),
    ),
    "general.hardware-and-networking": SeedLine(
        "하드웨어 및 네트워킹 설계, 확보, 설치 및 구성.",
        ("hardware", "networking", "design", "procure", "install", "configure"),
        ("하드웨어", "네트워킹", "설계", "확보", "설치", "구성"),
    ),
    "general.software-setup": SeedLine(
        "소프트웨어 확보, 설치 및 구성.",
        ("software", "procure", "install", "configure"),
        ("소프트웨어", "확보", "설치", "구성"),
    ),
    "general.policy-management": SeedLine(
        "EMS 서비스 기준 구성과 기능을 테스트하기 위해 만든 보안 정책 이외의 정책 관리, "
        "구성 및 적용.",
        (
            "security policies",
            "baseline configuration",
            "functionality",
            "test",
            "manage",
            "configure",
            "apply",
        ),
        ("기준 구성", "기능", "테스트", "보안 정책", "이외의 정책", "관리", "구성", "적용"),
    ),
    "general.user-account-enrollment": SeedLine(
        "Microsoft Azure AD Premium EMS 서비스 초기 구성 및 기능 테스트에 사용되는 것 "
        "이상의 사용자 계정을 등록.",
        ("Azure AD Premium", "initial configuration", "functionality testing", "user accounts"),
        ("Azure AD Premium", "초기 구성", "기능 테스트", "사용자 계정", "등록"),
    ),
    "general.network-validation": SeedLine(
        "네트워크 구성, 분석, 대역폭 유효성 검사, 테스트 및 모니터링.",
        ("network", "configuration", "analysis", "bandwidth validation", "testing", "monitoring"),
        ("네트워크", "구성", "분석", "대역폭 유효성 검사", "테스트", "모니터링"),
    ),
    "general.change-approval": SeedLine(
        "기술 변경 관리 승인 프로세스 관리 및 지원 설명서 작성.",
        ("technical change management", "approval process", "supporting documentation"),
        ("기술 변경 관리", "승인 프로세스", "지원 설명서", "작성"),
    ),
    "general.operations-model": SeedLine(
        "운영 모델 및 운영 가이드 수정.",
        ("operating model", "operations guides"),
        ("운영 모델", "운영 가이드", "수정"),
    ),
    "general.on-premises-mfa": SeedLine(
        "온-프레미스 Multi-Factor Authentication 설정.",
        ("on premises", "Multi-Factor Authentication", "set up"),
        ("온-프레미스", "다단계 인증", "MFA", "설정"),
    ),
    "general.retire-legacy-services": SeedLine(
        "이전에 고객에 의해 사용된 서비스 및 원본 환경을 제거 및 해제.",
        ("remove", "decommission", "services", "source environments", "before"),
        ("이전", "서비스", "원본 환경", "제거", "해제"),
    ),
    "general.test-environment": SeedLine(
        "테스트 환경 구축 및 유지 관리.",
        ("test environment", "build", "maintain"),
        ("테스트 환경", "구축", "유지 관리"),
    ),
    "general.server-updates": SeedLine(
        "인프라 서버에 서비스 팩 및 기타 필수 업데이트 설치.",
        ("infrastructure servers", "service packs", "required updates", "install"),
        ("인프라 서버", "서비스 팩", "필수 업데이트", "설치"),
    ),
    "general.public-ssl-certificates": SeedLine(
        "공용 SSL 인증서 제공 및 구성.",
        ("public SSL certificates", "provide", "configure"),
        ("공용 SSL 인증서", "제공", "구성"),
    ),
    "general.terms-of-use": SeedLine(
        "최종 사용자가 액세스할 수 있는 Microsoft Intune 회사 포털에 구성 및 표시될 조직의 "
        "TOU(사용 약관) 작성.",
        ("terms of use", "TOU", "Microsoft Intune Company Portal", "end users", "configured"),
        ("최종 사용자", "Microsoft Intune 회사 포털", "사용 약관", "TOU", "구성", "표시", "작성"),
    ),
    "initiate.start-onboarding": SeedLine(
        "Microsoft 팀과 함께 적격 서비스에 대한 등록 작업을 시작합니다.",
        ("Microsoft team", "eligible services", "onboarding"),
        ("Microsoft 팀", "적격 서비스", "온보딩 작업", "시작"),
    ),
    "initiate.readiness-meeting": SeedLine(
        "참여 준비 모임에 참가하고, 조직의 참가자를 관리 및 안내하고, 수정 타임라인을 확인합니다.",
        (
            "attend",
            "engagement readiness meeting",
            "participants",
            "manage",
            "guide",
            "remediation timeline",
            "confirm",
        ),
        ("프로젝트 준비 회의", "참석", "참가자", "관리", "안내", "보완 일정", "확인"),
    ),
    "assess.identify-stakeholders": SeedLine(
        "필요한 평가 작업을 완료하기 위해 적합한 관련자(프로젝트 관리자 포함)를 식별합니다.",
        ("identify", "stakeholders", "project manager", "assessment work"),
        ("평가 작업", "완료", "적합한 관련자", "프로젝트 관리자", "식별"),
    ),
    "assess.share-screen-for-tools": SeedLine(
        "(선택 사항) 사용 중인 환경이나 EMS 또는 개별 클라우드 서비스 구독에 대해 평가 도구를 "
        "실행할 때 지침이 필요한 경우 사용자의 화면을 Microsoft와 공유합니다.",
        (
            "assessment tools",
            "environment",
            "EMS",
            "individual cloud service subscriptions",
            "guidance",
            "share your screen",
        ),
        ("환경", "EMS", "개별 클라우드 서비스 구독", "평가 도구", "지침", "화면", "공유"),
    ),
    "assess.remediation-checklist": SeedLine(
        "수정 검사 목록을 만들고 인프라, 네트워크, 관리, 디렉터리 동기화 준비, 네트워크 보안 "
        "및 페더레이션 ID 항목을 비롯한 전체 플랜 작업에 기여하는 모임에 참여합니다.",
        (
            "remediation checklist",
            "infrastructure",
            "network",
            "administration",
            "directory sync readiness",
            "network security",
            "federated identity",
            "contribute to the overall plan",
            "meetings",
        ),
        (
            "보완 체크리스트",
            "인프라",
            "네트워크",
            "관리",
            "디렉터리 동기화 준비",
            "네트워크 보안",
            "페더레이션 ID",
            "전체 계획에 기여",
            "회의",
        ),
    ),
    "assess.user-provisioning-review": SeedLine(
        "모임에 참여하여 사용자 프로비저닝 방법을 설명합니다.",
        ("meeting", "explain", "provision users"),
        ("회의", "사용자 프로비저닝 방법", "설명"),
    ),
    "assess.service-configuration-plan": SeedLine(
        "모임에 참여하여 온라인 서비스 구성을 계획합니다.",
        ("meeting", "plan", "configuration", "online services"),
        ("회의", "온라인 서비스 구성", "계획"),
    ),
    "assess.migration-support-plan": SeedLine(
        "마이그레이션 준비를 위한 지원 플랜을 만듭니다.",
        ("support plan", "migration", "ready"),
        ("마이그레이션 준비", "지원 계획"),
    ),
    "remediate.complete-remediation": SeedLine(
        "평가 단계에서 파악된 수정 작업을 완료하는 데 필요한 단계를 수행합니다.",
        ("steps needed", "complete", "remediation work", "identified", "Assess phase"),
        ("평가 단계", "파악된", "보완 작업", "완료", "수행"),
    ),
    "remediate.checkpoint-meeting": SeedLine(
        "검사점 모임에 참여합니다.",
        ("checkpoint meetings",),
        ("체크포인트 회의",),
    ),
    "enable.share-screen-for-changes": SeedLine(
        "사용 중인 환경이나 EMS 또는 개별 클라우드 서비스 구독에 대해 변경을 실행할 때 지침이 "
        "필요한 경우 사용자의 화면을 Microsoft와 공유합니다.",
        (
            "changes",
            "environment",
            "EMS",
            "individual cloud service subscriptions",
            "guidance",
            "share your screen",
        ),
        ("환경", "EMS", "개별 클라우드 서비스 구독", "변경", "지침", "화면", "공유"),
    ),
    "enable.manage-resources": SeedLine(
        "리소스를 적절하게 관리합니다.",
        ("manage", "resources", "appropriately"),
        ("리소스", "적절하게", "관리"),
    ),
    "enable.configure-network": SeedLine(
        "Microsoft의 지침에 따라 네트워크 관련 항목을 구성합니다.",
        ("Microsoft's guidance", "network-related items", "configure"),
        ("Microsoft의 지침에 따라", "네트워크 관련 항목", "구성"),
    ),
    "enable.directory-sync": SeedLine(
        "Microsoft의 지침에 따라 디렉터리 준비 작업을 진행하고 디렉터리 동기화를 구성합니다.",
        (
            "Microsoft's guidance",
            "directory preparation",
            "directory synchronization",
            "configure",
        ),
        ("Microsoft의 지침에 따라", "디렉터리 준비 작업", "디렉터리 동기화", "구성"),
    ),
    "enable.security-infrastructure": SeedLine(
        "Microsoft의 지침에 따라 보안 관련 인프라(방화벽 포트 등)를 구성합니다.",
        ("Microsoft's guidance", "security-related infrastructure", "firewall ports", "configure"),
        ("Microsoft의 지침에 따라", "보안 관련 인프라", "방화벽 포트", "구성"),
    ),
    "enable.client-infrastructure": SeedLine(
        "적절한 클라이언트 인프라를 구현합니다.",
        ("implement", "appropriate", "client infrastructure"),
        ("적절한", "클라이언트 인프라", "구현"),
    ),
    "enable.user-provisioning": SeedLine(
        "Microsoft의 지침에 따라 사용자 프로비저닝 접근 방식을 구현합니다.",
        ("Microsoft's guidance", "user provisioning approach", "implement"),
        ("Microsoft의 지침에 따라", "사용자 프로비저닝 방식", "구현"),
    ),
    "enable.turn-on-services": SeedLine(
        "Microsoft의 지침에 따라 다양한 서비스를 사용하도록 설정합니다.",
        ("Microsoft's guidance", "various services", "enable"),
        ("Microsoft의 지침에 따라", "여러 서비스", "사용하도록 설정"),
    ),
}

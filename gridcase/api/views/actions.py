"""Every flow action of domain.md as its own endpoint: POST /api/v1/cases/{number}/<action>.

Each one looks the case up in the caller's scope (404 outside it), refuses an action the
caller's role may not take (403 with the workflow's reason), checks the input's shape (400),
then calls the same service as the workbench, which may still refuse (400 incomplete case,
409 someone acted first).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from gridcase.cases import filing, services
from gridcase.cases.errors import CaseError, Conflict
from gridcase.cases.models import State
from gridcase.org.models import Unit

from ..idempotency import idempotent
from ..serializers import actions as inputs
from ..serializers.cases import CaseDetailSerializer, ExtensionSerializer, FollowUpSerializer
from .base import ApiView, case_or_404
from .common import (
    IDEMPOTENCY_PARAMETER,
    NUMBER_PARAMETER,
    case_response,
    check_posted_version,
    precheck,
)

TAG = ["办理 actions"]


class CaseActionView(ApiView):
    workflow_action = ""
    input_class = inputs.EmptySerializer

    def perform(self, request, case, data) -> Response:
        raise NotImplementedError

    @idempotent
    def post(self, request, number, **kwargs):
        case = case_or_404(request, number)
        check_posted_version(request, case)
        self.check_action(request, case, **kwargs)
        serializer = self.input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)  # checked above; the services take the case as read
        return self.perform(request, case, data, **kwargs)

    def check_action(self, request, case, **kwargs) -> None:
        precheck(self.workflow_action, case, request.user)


def _action(
    name: str,
    workflow_action: str,
    input_class,
    perform,
    summary: str,
    description: str,
    response=CaseDetailSerializer,
    status: int = 200,
    base=CaseActionView,
    parameters=(),
    operation_id: str | None = None,
):
    view = type(
        name,
        (base,),
        {
            "workflow_action": workflow_action,
            "input_class": input_class,
            "perform": perform,
            "__doc__": summary,
        },
    )
    return extend_schema_view(
        post=extend_schema(
            tags=TAG,
            operation_id=operation_id or f"cases_{workflow_action}",
            summary=summary,
            description=description,
            parameters=[NUMBER_PARAMETER, *parameters, IDEMPOTENCY_PARAMETER],
            request=input_class,
            responses={status: response},
        )
    )(view)


class SubmitBase(CaseActionView):
    def check_action(self, request, case, **kwargs) -> None:
        # The officer's own case no longer a draft: most likely their earlier submit committed
        # and its answer was lost. A conflict with the case's state (409: look at the case
        # again), as the field terminal expects, not a refusal of the person (403).
        if case.state != State.DRAFT and case.officer_id == request.user.pk:
            raise Conflict(
                f"该事件已提交,当前状态为“{case.get_state_display()}”,无需再次提交:"
                "请查看事件的最新状态"
            )
        super().check_action(request, case, **kwargs)


def _submit(self, request, case, data):
    filing.case_submit(case=case, by=request.user)
    return case_response(request, case)


def _accept(self, request, case, data):
    services.case_accept(case=case, by=request.user, note=data["note"])
    return case_response(request, case)


def _close(self, request, case, data):
    services.case_close(case=case, by=request.user, data=data)
    return case_response(request, case)


def _escalate(self, request, case, data):
    services.case_escalate(case=case, by=request.user, note=data["note"])
    return case_response(request, case)


def _dispatch(self, request, case, data):
    department = Unit.objects.filter(
        pk=data["department"], town_id=case.town_id, kind=Unit.Kind.DEPARTMENT
    ).first()
    if department is None:
        raise CaseError("请选择本镇的部门", {"department": ["请选择本镇的部门"]})
    services.case_dispatch(case=case, by=request.user, department=department, note=data["note"])
    return case_response(request, case)


def _report(self, request, case, data):
    services.case_report(case=case, by=request.user, result=data["result"])
    return case_response(request, case)


def _return(self, request, case, data):
    services.case_return(case=case, by=request.user, reason=data["reason"])
    return case_response(request, case)


def _void(self, request, case, data):
    services.case_void(case=case, by=request.user, reason=data["reason"])
    return case_response(request, case)


def _urge(self, request, case, data):
    services.case_urge(case=case, by=request.user, note=data["note"])
    return case_response(request, case)


def _review(self, request, case, data):
    services.case_review(
        case=case, by=request.user, quality=data["quality"], note=data["note"], major=data["major"]
    )
    return case_response(request, case)


def _handle_on_spot(self, request, case, data):
    services.case_handle_on_spot(case=case, by=request.user, data=data)
    return case_response(request, case)


def _submit_and_accept(self, request, case, data):
    services.case_submit_and_accept(case=case, by=request.user, note=data["note"])
    return case_response(request, case)


def _request_extension(self, request, case, data):
    extension = services.case_request_extension(
        case=case, by=request.user, working_days=data["working_days"], reason=data["reason"]
    )
    return Response(ExtensionSerializer(extension).data, status=201)


def _follow_up(self, request, case, data):
    follow_up = services.case_follow_up(
        case=case,
        by=request.user,
        visited_on=data["visited_on"],
        method=data["method"],
        satisfied=data["satisfied"],
        note=data["note"],
    )
    return Response(FollowUpSerializer(follow_up).data, status=201)


SubmitView = _action(
    "SubmitView",
    "submit",
    inputs.EmptySerializer,
    _submit,
    "提交",
    "专管员提交草稿:检查时间、地点、人物、起因、经过(矛盾纠纷还需两方当事人及电话),"
    "缺少的要素逐项列在 fields 中;通过后开始计算受理期限。\n\n"
    "断网重发:带 Idempotency-Key 时重发返回第一次的结果;事件已不是草稿(此前的提交已生效)"
    "时返回 409,可再读取事件查看状态。可带 version,不是当前版本时返回 409 stale。",
    base=SubmitBase,
)
AcceptView = _action(
    "AcceptView",
    "accept",
    inputs.NoteSerializer,
    _accept,
    "受理",
    "事件所在层级受理事件,开始计算办结期限。",
)
CloseView = _action(
    "CloseView",
    "close",
    inputs.CloseSerializer,
    _close,
    "结案",
    "记录处理结果并结案。在网格或村站结案的矛盾纠纷还需要调解人、调解结果、协议方式和协议内容。",
)
EscalateView = _action(
    "EscalateView",
    "escalate",
    inputs.RequiredNoteSerializer,
    _escalate,
    "上报",
    "交上一级处理:网格 → 村站 → 镇中心。note 为上报理由(必填)。",
)
DispatchView = _action(
    "DispatchView",
    "dispatch",
    inputs.DispatchSerializer,
    _dispatch,
    "分流",
    "镇中心将事件分流到本镇的一个部门。",
)
ReportView = _action(
    "ReportView",
    "report",
    inputs.ReportSerializer,
    _report,
    "部门反馈结果",
    "部门反馈处理结果,事件回到镇中心,由镇中心结案。",
)
ReturnView = _action(
    "ReturnView",
    "return",
    inputs.ReasonSerializer,
    _return,
    "退回",
    "退回下一级重新办理,须写明原因。",
)
VoidView = _action(
    "VoidView",
    "void",
    inputs.ReasonSerializer,
    _void,
    "作废",
    "作废(重复、测试、误报),须写明原因。",
)
UrgeView = _action(
    "UrgeView",
    "urge",
    inputs.RequiredNoteSerializer,
    _urge,
    "督办",
    "上级督促办理人;记入办理记录并通知,状态不变。note 为督办意见(必填)。",
)
ReviewView = _action(
    "ReviewView",
    "review",
    inputs.ReviewSerializer,
    _review,
    "质量评定",
    "镇政法综治办评定事件质量:合格或不合格(须写原因),并可确认或取消“重大”标记。",
)
SubmitAndAcceptView = _action(
    "SubmitAndAcceptView",
    "submit",
    inputs.NoteSerializer,
    _submit_and_accept,
    "提交并受理",
    "网格即专管员本人:专管员提交自己的草稿并同时受理,一次完成(检查同提交);之后可结案或上报。",
    operation_id="cases_submit_and_accept",
)
HandleOnSpotView = _action(
    "HandleOnSpotView",
    "submit",
    inputs.CloseSerializer,
    _handle_on_spot,
    "当场办结",
    "专管员当场处理完毕的事件:一次完成提交、受理、结案;请求内容同结案。",
    operation_id="cases_handle_on_spot",
)


class ExtensionListView(CaseActionView):
    @extend_schema(
        tags=TAG,
        operation_id="cases_extensions_list",
        summary="延期申请列表",
        parameters=[NUMBER_PARAMETER],
        responses={200: ExtensionSerializer(many=True)},
    )
    def get(self, request, number):
        case = case_or_404(request, number)
        items = case.extensions.select_related("requested_by", "decided_by")
        return Response(ExtensionSerializer(items, many=True).data)


ExtensionsView = _action(
    "ExtensionsView",
    "request_extension",
    inputs.ExtensionRequestSerializer,
    _request_extension,
    "申请延期",
    "镇中心或部门在办理中申请延长办结期限(1–30 个工作日);同一事件同时只能有一个待审批的申请。",
    response=ExtensionSerializer,
    status=201,
    base=ExtensionListView,
)


class ExtensionDecisionBase(CaseActionView):
    def check_action(self, request, case, pk):
        extension = case.extensions.filter(pk=pk).first()
        if extension is None:
            raise NotFound()
        self.extension = extension
        precheck("decide_extension", case, request.user, level=extension.level)

    def perform(self, request, case, data, pk):
        extension = self.extension
        extension.case = case
        services.case_decide_extension(
            request=extension, by=request.user, approve=data["approve"], note=data["note"]
        )
        return Response(ExtensionSerializer(extension).data)


ExtensionDecisionView = _action(
    "ExtensionDecisionView",
    "decide_extension",
    inputs.ExtensionDecisionSerializer,
    ExtensionDecisionBase.perform,
    "审批延期",
    "镇中心审批部门的延期申请,镇政法综治办或分管领导审批镇中心的申请;批准后办结期限顺延。",
    response=ExtensionSerializer,
    base=ExtensionDecisionBase,
    parameters=[],
)


class FollowUpListView(CaseActionView):
    @extend_schema(
        tags=TAG,
        operation_id="cases_follow_ups_list",
        summary="回访记录",
        parameters=[NUMBER_PARAMETER],
        responses={200: FollowUpSerializer(many=True)},
    )
    def get(self, request, number):
        case = case_or_404(request, number)
        return Response(FollowUpSerializer(case.follow_ups.select_related("by"), many=True).data)


FollowUpsView = _action(
    "FollowUpsView",
    "follow_up",
    inputs.FollowUpInputSerializer,
    _follow_up,
    "登记回访",
    "结案后回访当事人:日期、方式(电话/上门)、是否满意、情况说明。",
    response=FollowUpSerializer,
    status=201,
    base=FollowUpListView,
)

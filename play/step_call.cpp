#include "play/step_call.h"

namespace sessim {

const HttpCall* profile_call_of(const AppProfile& profile, const Step& step) {
  switch (step.kind) {
    case StepKind::set:
      return step.request().reference_call && profile.reference_set ? &*profile.reference_set
                                                                    : &profile.set;
    case StepKind::get:
      return step.request().reference_call && profile.reference_get ? &*profile.reference_get
                                                                    : &profile.get;
    case StepKind::remove:
      return profile.remove ? &*profile.remove : nullptr;
    case StepKind::login:
      return profile.login ? &*profile.login : nullptr;
    case StepKind::logout:
      return profile.logout ? &*profile.logout : nullptr;
    default:
      return nullptr;
  }
}

}  // namespace sessim
